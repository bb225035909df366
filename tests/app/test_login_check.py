"""The one sign-in check: off without a secrets file (Streamlit's not-found error is caught, nothing
else), on with an ``[auth]`` section."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import streamlit as st

    from workbench.identity import auth_configured

    st.write(f"configured={auth_configured()}")


def test_login_off_without_secrets_and_on_with_an_auth_section() -> None:
    off = AppTest.from_function(_app).run()
    assert not off.exception
    assert off.markdown[0].value == "configured=False"

    on = AppTest.from_function(_app)
    on.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8599/oauth2callback", "cookie_secret": "x"}
    on.run()
    assert not on.exception
    assert on.markdown[0].value == "configured=True"
