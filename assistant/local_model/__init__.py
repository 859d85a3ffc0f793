"""The built-in local language model: packaged Qwen2.5-Coder GGUF weights served by
llama.cpp's OpenAI-compatible server on loopback, shared by every Ting process of a data
folder (``weights``: the model files; ``server``: starting and sharing the server;
``serve``: the server process; ``provider``: the client the rest of Ting uses)."""
