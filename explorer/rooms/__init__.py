"""A class as one: a teacher's room, its students and its task (issue 18). No Streamlit here.

``store.RoomStore`` is the interface the pages use; ``memory_store.MemoryRoomStore`` keeps
everything in the server process (the default: ``streamlit run app.py`` needs nothing else).
``keys`` makes and checks the codes and secrets; ``nicknames`` checks and escapes names.
"""
