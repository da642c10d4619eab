"""reconciler: release configuration as code for Apple's App Store Connect."""

__version__ = "0.1.0"

__all__ = ["__version__"]
