"""Text into whatever window has the keyboard focus, on each desktop.

``TextOutput.for_session()`` (``typist``) picks, from the session it runs in, a keyboard
(what sends keystrokes) and a clipboard (what holds text for a paste):

* X11: XTEST through python-xlib (``x11_keyboard``), or the ``xdotool`` command; the
  clipboard is served by a small owner process of our own (``x11_selection``), which
  hands back the previous contents, every type of them, once the paste was taken;
* Wayland: ``wtype`` (compositors with the virtual-keyboard protocol: sway, Hyprland,
  river, KDE), ``ydotool`` (any compositor, through /dev/uinput), or the XDG
  RemoteDesktop portal (GNOME, KDE); the clipboard through wl-clipboard;
* Windows and macOS: pynput's keyboard controller; the clipboard through the system's
  own commands.

Nothing here imports Qt; python-xlib, jeepney and pynput are imported only where used.
"""
