"""Channels: each turns a platform's messages into `Update`s and renders `Reply`s back."""
