"""The one login check: off without a secrets file (Streamlit's not-found error is caught, nothing else;
nobody is then signed in), on with an ``[auth]`` section. (AppTest's stand-in ``st.user`` has no
``is_logged_in``, so the signed-in user is only read with login off.)"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import streamlit as st

    from workbench.components.login import login_configured, signed_in_user

    if login_configured():
        st.write("configured=True")
    else:
        st.write(f"configured=False user={signed_in_user()!r}")


def test_login_off_without_secrets_and_on_with_an_auth_section() -> None:
    off = AppTest.from_function(_app).run()
    assert not off.exception
    assert off.markdown[0].value == "configured=False user=''"

    on = AppTest.from_function(_app)
    on.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8599/oauth2callback", "cookie_secret": "x"}
    on.run()
    assert not on.exception
    assert on.markdown[0].value == "configured=True"
