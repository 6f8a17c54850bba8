"""Messages to citizens (SMS, Zalo, e-mail in deployments): queued with the change, sent by the worker."""
