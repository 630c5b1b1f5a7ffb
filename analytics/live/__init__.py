"""Live collection in the meeting: rounds, participant tokens, answers, the live picture, and closing.

A coach opens a **round** for one network: which instruments to ask (the dimension indicators for the current
and optionally the desired situation, a value-creation story, a learning-ties name generator), anonymous or
named, and for how long. Participants answer on their phones; the coach's screen aggregates the submitted
answers while they arrive. **Closing** freezes the round into the normal data as one import (source ``live``),
so it shows up in every page and can be undone from the Data page like a file.

Access (no Streamlit here; the pages call these functions):

* A round has a public id (``round``) and, unless it uses personal links only, a shared **join key** shown as
  link + QR code. Opening the shared link exchanges the key for a **participant token** (one per phone).
  Personal links carry a participant token bound to one person from the start.
* Keys and tokens are ``secrets.token_urlsafe`` values; only their SHA-256 is stored. A token lets its holder
  write their own answers for its round and nothing else; it stops working when the round closes or
  expires, or when the coach issues a new personal link for the same person. Every refusal is a
  :class:`LiveError` with a code the pages translate (``live.error.<code>``).
* One response per participant per round: the response row's key is ``(round_id, slot)``, where the slot is
  ``p:<participant_id>`` in named rounds and ``t:<token hash>`` in anonymous ones. Saving replaces the row
  (``INSERT OR REPLACE`` inside ``store.transaction``), so 40 phones in the same minute serialise on
  ``store.WRITE_LOCK`` and none creates a duplicate.
* Every save names the version it started from (``seq``): a save on top of the stored version is accepted,
  a repeat of the stored content is a no-op (a phone that retries after a lost connection), anything else is
  refused as outdated (an old request replayed, or an edit from another device).
* Drafts are kept server-side per slot, so a participant who reloads or loses the connection gets them back.
  Only *submitted* answers count in the live picture and are stored at closing.

Answers are a JSON object::

    {"current": {"1a": 5, ...}, "desired": {...},                      # marks 1..7 between the poles
     "story": {"text": "...", "cycle": "applied", "indicator": "2a"},  # one value-creation story
     "ties": [{"to": "P003", "often": 2}, {"name": "Jan (library)", "often": 1}]}
"""
