"""Outbound webhooks: endpoints, the transactional outbox, signed at-least-once delivery."""
