"""WTForms forms; Flask-WTF adds a CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from tracker.domain.expiry import EARLIEST_EXPIRY, LATEST_EXPIRY


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class RegisterForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    next = HiddenField()
    submit = SubmitField(_l("Create account"))


class AddDomainForm(FlaskForm):
    # A textarea, because a single-line input drops the line breaks of a
    # pasted list.
    names = TextAreaField(
        _l("Domain"),
        validators=[DataRequired(message=_l("Enter a domain name."))],
        render_kw={"rows": 1, "autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Add"))


class ManualEntryForm(FlaskForm):
    expiration_date = DateField(
        _l("Expiry date"),
        validators=[InputRequired(message=_l("Enter the expiry date."))],
        format="%Y-%m-%d",
    )
    registrar = StringField(_l("Registrar"), validators=[Optional(), Length(max=255)])
    submit = SubmitField(_l("Save"))

    def validate_expiration_date(self, field: DateField) -> None:
        if field.data is None:
            return
        if not EARLIEST_EXPIRY <= field.data <= LATEST_EXPIRY:
            raise ValidationError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=EARLIEST_EXPIRY.isoformat(),
                    last=LATEST_EXPIRY.isoformat(),
                )
            )


class ActionForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""
