"""Experiments on the isohybrid model: sweeps, storage, sensitivity, figures and the CLI."""
