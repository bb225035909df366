"""Whether login is on, and who is signed in: the one place the workbench reads ``st.secrets`` for it.

Login (``st.login``) is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section. With no secrets
file at all Streamlit raises ``StreamlitSecretNotFoundError`` (also for one it cannot parse): that
means login is off, and nothing else is caught.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError


def login_configured() -> bool:
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:  # no secrets.toml: login is off
        return False


def signed_in_user() -> str:
    """The signed-in user's name (or e-mail); "" when login is off or nobody is signed in."""
    if login_configured() and st.user.is_logged_in:
        return str(st.user.get("name") or st.user.get("email") or "")
    return ""
