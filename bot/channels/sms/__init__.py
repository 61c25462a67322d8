"""The SMS channel: pushes as Alibaba Cloud template SMS, receipts and 回T退订 replies back.

- `provider`: the SDK client, receipts (SmsReport) and replies (SmsUp) parsed
- `text`: a push's texts fitted to one message (70 characters with the signature) where possible
- `sender`: `SmsPushes`, the delivery worker's sender: template by kind, within the phone budget
- `channel`: `SmsChannel`, the channel on the common interface, with /sms/report and /sms/up
"""
