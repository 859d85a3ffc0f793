"""The live interpreter: capture → sentence segmenter → ASR → translation worker → output."""
