"""The request class: form and query values arrive without NUL characters.

PostgreSQL refuses text containing NUL (SQLite stores it), and nobody types one on purpose,
so they are dropped where every value enters the app instead of in each form."""
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import ImmutableMultiDict, MultiDict


def _clean(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class CleanParameters(ImmutableMultiDict):
    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = ((k, v) for k, values in mapping.items()
                     for v in (values if isinstance(values, list | tuple) else [values]))
        else:
            pairs = mapping or ()
        super().__init__([(_clean(key), _clean(value)) for key, value in pairs])


class TandemRequest(HtmxAwareRequest):
    """htmx-flask's request (for `request.htmx`) with cleaned parameters."""

    parameter_storage_class = CleanParameters
