"""The preferences form: one question per kind of notification the person may change."""
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.notifications import CHANNEL_LABELS, NotificationType


class PreferencesForm(FlaskForm):
    """Fields are added per person by `preferences_form`."""

    kinds: list[NotificationType] = []


def preferences_form(offered: list[NotificationType], current: dict[str, str]
                     ) -> PreferencesForm:
    """A form asking how the person hears about each kind they may change, filled with
    their current choices. A locked kind is never a field: it cannot be switched off."""
    changeable = [t for t in offered if not t.locked]
    fields = {t.key: RadioField(t.label, description=t.hint,
                                choices=[SelectChoice(c, CHANNEL_LABELS[c]) for c in t.channels],
                                validators=[InputRequired(f"Choose how you hear about "
                                                          f"{t.label.lower()}")])
              for t in changeable}
    form_class = type("PersonPreferencesForm", (PreferencesForm,), fields)
    form = form_class(data={t.key: current[t.key] for t in changeable})
    form.kinds = changeable
    return form
