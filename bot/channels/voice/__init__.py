"""The voice channel: fair reminders, fair changes and consent codes read out by an automated call.

- `provider`: the SDK client (SingleCallByTts) and the call reports (VoiceReport) parsed
- `sender`: `VoicePushes`: only those kinds, each in its TTS template filled from the push's
  fields, 08:00–20:00, once per fair; other kinds go by the person's SMS number
- `channel`: `VoiceChannel`, the channel on the common interface, with /voice/report
"""
