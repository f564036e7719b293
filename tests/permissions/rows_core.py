from .table import Row
from .world import EVERYONE, LOGGED_IN

ROWS = [
    Row("home", get=EVERYONE),
    Row("healthz", get=EVERYONE),
    # Django's set_language answers GET with a plain redirect and changes nothing.
    Row("set_language", get=EVERYONE, post=EVERYONE, data=lambda w: {"language": "en", "next": "/"}),
    # Eight wrong passwords from one address in a row: the lockout (429) is the right answer too.
    Row(
        "accounts:login",
        get=EVERYONE,
        post=EVERYONE,
        data=lambda w: {"username": "nobody@example.org", "password": "wrong"},
        ok_status=frozenset({200, 302, 429}),
    ),
    Row("accounts:logout", post=LOGGED_IN),
]
