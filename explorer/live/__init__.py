"""The live view: the socket server (``channel``) and its browser client (``static``) side by side."""
