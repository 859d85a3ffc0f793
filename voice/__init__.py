"""Voice: capture, VAD, ASR (faster-whisper), TTS, hotkeys. No Qt.

Importing this package is cheap: heavy modules load inside the functions that use them.
"""

from __future__ import annotations

import os

# CTranslate2 (Whisper) runs on libgomp, whose worker threads by default spin while they
# wait for work; on a desktop where other programs want the same cores a spinning thread
# holds a core its partner needs, and decodes take many times longer
# (bench/results_voice.md). libgomp reads this once, when CTranslate2 loads, and
# everything that loads it goes through this package first; a value already in the
# environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
