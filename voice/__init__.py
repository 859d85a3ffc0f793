"""Voice: capture, VAD, ASR (faster-whisper), TTS, hotkeys. No Qt."""
