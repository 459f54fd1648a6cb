"""The services the simulated platform offers: citizen look-up, dossier sync, document receipt."""
