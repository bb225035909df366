"""Job kinds by name: a handler module registers its kinds with ``@register_job_kind("name")``.

``engine.jobs.handlers`` imports every such module, so the registry is complete for whoever imports the
package: the job's process (``engine.jobs.run_one``, or the CLI running its own job) and the job service
that checks a kind before queuing it (``engine.jobs.service``).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.jobs.handlers.base import Handler, JobKind
from engine.registry import Registry

JOB_KINDS: Registry[JobKind] = Registry("job kind")


def register_job_kind(name: str, user: bool = True) -> Callable[[Handler], Handler]:
    """Register the decorated handler as job kind ``name``."""

    def decorate(handler: Handler) -> Handler:
        JOB_KINDS.add(name, JobKind(name, handler, user))
        return handler

    return decorate


def get_job_kind(name: str) -> JobKind:
    """The kind ``name``, or a GlimpseError naming the known kinds."""
    return JOB_KINDS.get_or_fail(name)


def user_kinds() -> list[str]:
    """The kinds a user launches, in registration order."""
    return [k.name for k in JOB_KINDS.values() if k.user]
