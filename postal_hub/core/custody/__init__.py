"""The custody log: who holds each dossier, as an append-only hash chain per organization."""
