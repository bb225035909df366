"""Who is using the workbench, resolved afresh on every request.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` people sign in through OpenID Connect
(``st.login``); the provider vouches for their e-mail, the catalog's people table gives their name and
role (``api.sign_in``, read per request so a role change takes effect at the next one). Unknown people
and expired sign-ins get nothing. Without auth (one person on a laptop) the user types a local name,
validated like any name, and acts as a local admin — as the CLI does.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from engine import api
from engine.errors import GlimpseError, NotAllowed
from workbench import state

LOCAL_NAME_KEY = "ann_annotator"  # the local name box (kept from the Annotate page, where it lived)


def auth_configured() -> bool:
    """The one place the workbench reads ``st.secrets`` for sign-in: on with an ``[auth]`` section. With
    no secrets file at all (or one it cannot parse) Streamlit raises ``StreamlitSecretNotFoundError``:
    sign-in is off; nothing else is caught."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


def _signed_in_login() -> str:
    return str(st.user.get("email") or st.user.get("preferred_username") or st.user.get("sub") or "")


def signed_in() -> api.Actor:
    """The signed-in person (call only when auth is configured and someone is logged in).

    GlimpseError (NotAllowed) when the sign-in has expired or the catalog does not know them."""
    expires = st.user.get("exp")
    if isinstance(expires, int | float) and expires < time.time():
        raise NotAllowed("your sign-in has expired", hint="log out and sign in again")
    return api.sign_in(_signed_in_login())


def gate() -> api.Actor | None:
    """Stop the page (with a Log in button, or a refusal and Log out) unless a known person is signed in;
    returns them. Without auth: None (the local name decides, see ``writer``)."""
    if not auth_configured():
        return None
    if not st.user.is_logged_in:
        st.title("Glimpse")
        st.button("Log in", on_click=st.login, key="login")
        st.stop()
    try:
        return signed_in()
    except GlimpseError as error:
        st.title("Glimpse")
        st.error(f"Refused: {error}")
        st.button("Log out", on_click=st.logout, key="logout_refused")
        st.stop()
    raise AssertionError("unreachable")  # st.stop raises


def local_name() -> str:
    """The local name typed in the box (no auth); '' until one is typed."""
    if LOCAL_NAME_KEY not in st.session_state:
        st.session_state[LOCAL_NAME_KEY] = state.get(state.ANNOTATOR, "")
    name = str(st.session_state.get(LOCAL_NAME_KEY) or "").strip()
    state.put(state.ANNOTATOR, name)
    return name


def local_name_field() -> None:
    """The local name box (no auth only: signed-in people have no name box)."""
    if not auth_configured():
        local_name()
        st.text_input("Annotator", key=LOCAL_NAME_KEY, placeholder="your name")


def viewer() -> api.Actor:
    """Who the page shows data to: the signed-in person, else a local admin (the typed name, or the
    operating-system user)."""
    if auth_configured():
        return signed_in()
    try:
        return writer() or api.local_actor()
    except GlimpseError:  # an odd local name is refused where it is saved; reading goes on
        return api.local_actor()


def writer() -> api.Actor | None:
    """Who a save is recorded under: the signed-in person, else the typed local name (None when empty;
    a GlimpseError when the name is not valid)."""
    if auth_configured():
        return signed_in()
    name = local_name()
    return api.local_actor(name) if name else None
