"""Entry point: ``streamlit run streamlit_app.py`` (or ``glimpse serve``)."""

from workbench.app import main

main()
