"""Standard Webhooks signatures: the published test vector, and what the verifier refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import InvalidToken

from postal_hub.webhooks import vault
from postal_hub.webhooks.signing import VerificationError, generate_secret, secret_key, sign, verify

# The Standard Webhooks reference implementations' test vector (verified by computing it).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = '{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
AT = datetime.fromtimestamp(TIMESTAMP, UTC)


def _headers(signature: str = SIGNATURE, timestamp: int = TIMESTAMP) -> dict[str, str]:
    return {"webhook-id": MSG_ID, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_signing_reproduces_the_published_vector() -> None:
    assert sign(SECRET, MSG_ID, TIMESTAMP, BODY) == SIGNATURE


def test_verify_accepts_the_published_vector() -> None:
    verify(SECRET, _headers(), BODY, AT)


def test_verify_accepts_header_names_in_any_case() -> None:
    verify(SECRET, {k.title(): v for k, v in _headers().items()}, BODY.encode(), AT)


def test_verify_accepts_a_space_separated_list_with_one_good_signature() -> None:
    verify(SECRET, _headers(f"v1,bm9wZQ== v1a,xyz {SIGNATURE}"), BODY, AT)


def test_verify_refuses_a_tampered_body() -> None:
    with pytest.raises(VerificationError, match="no matching signature"):
        verify(SECRET, _headers(), '{"test": 2432232315}', AT)


def test_verify_refuses_the_wrong_secret() -> None:
    with pytest.raises(VerificationError, match="no matching signature"):
        verify(generate_secret(), _headers(), BODY, AT)


def test_verify_refuses_a_timestamp_older_than_the_tolerance() -> None:
    with pytest.raises(VerificationError, match="too old"):
        verify(SECRET, _headers(), BODY, AT + timedelta(seconds=301))


def test_verify_refuses_a_timestamp_from_the_future() -> None:
    with pytest.raises(VerificationError, match="too new"):
        verify(SECRET, _headers(), BODY, AT - timedelta(seconds=301))


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_names_a_missing_header(missing: str) -> None:
    headers = {k: v for k, v in _headers().items() if k != missing}
    with pytest.raises(VerificationError, match=f"missing header {missing}"):
        verify(SECRET, headers, BODY, AT)


def test_a_signature_computed_for_another_timestamp_is_refused() -> None:
    with pytest.raises(VerificationError):
        verify(SECRET, _headers(timestamp=TIMESTAMP + 1), BODY, AT)


def test_generated_secrets_carry_24_random_bytes_after_the_prefix() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_")
    assert len(secret_key(secret)) == 24
    assert secret != generate_secret()


def test_a_stored_secret_decrypts_only_with_the_same_app_key() -> None:
    token = vault.encrypt("app-key-1", SECRET)
    assert SECRET not in token
    assert vault.decrypt("app-key-1", token) == SECRET
    with pytest.raises(InvalidToken):
        vault.decrypt("app-key-2", token)
