"""The networks (plain torch modules). Importing the package registers every named model in
``models.registry`` (each module decorates its builders with ``@register_model``)."""

from models import cae, encoder, flow_cnn, heads, sequence  # noqa: F401 (register their models)
