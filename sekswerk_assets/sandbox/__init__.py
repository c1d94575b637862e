"""Embedded simulation of three sex-work ad websites (invented data) for the collectors.

See README.md in this folder. Main entry points:

- :func:`load_config` — the single YAML configuration with overrides;
- :func:`simulate` — the simulated population and its ground-truth frames;
- :class:`SandboxServer` — runs the three sites over HTTP in a subprocess.
"""

from .config import SandboxConfig, load_config
from .population import Population, simulate

__all__ = ["Population", "SandboxConfig", "SandboxServer", "load_config", "simulate"]


def __getattr__(name: str):  # lazy: the server pulls in starlette/uvicorn
    if name == "SandboxServer":
        from .server import SandboxServer

        return SandboxServer
    raise AttributeError(name)
