"""The signed, tamper-evident exchange log and its offline verifier."""
