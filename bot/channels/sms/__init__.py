"""The SMS channel: pushes as Alibaba Cloud template SMS, receipts and 回T退订 replies back.

- `provider`: the SDK client, receipts (SmsReport) and replies (SmsUp) parsed
- `text`: how many messages an SMS takes (70 characters with the signature in one)
- `sender`: `SmsPushes`, the delivery worker's sender: the kind's template filled from the push's
  fields (bot.channels.phone_templates), within the phone budget
- `channel`: `SmsChannel`, the channel on the common interface, with /sms/report and /sms/up
"""
