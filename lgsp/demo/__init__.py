"""The demo province: demo providers, the province file, and what `lgsp demo` starts."""
