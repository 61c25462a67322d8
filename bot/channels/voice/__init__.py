"""The voice channel: reminders read out by an Alibaba Cloud voice-notification call."""
