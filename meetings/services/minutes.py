"""Writes of the minutes (biên bản hội nghị, DESIGN.md §8): draft, edit, amendment window,
approval by chair and secretary, seal, new version.

Life of one version (a `Minutes` row):

    draft ──minutes_amendments_open──▶ amending ──(window over or closed)──┐
      │                                                                    ▼
      └──────────────minutes_approve (chair or secretary)─────────────▶ approved
                                                    (both approvals in) ──▶ sealed

- `draft` / `amending`: the secretariat edits the opening, the closing and the text of
  each section (`minutes_section_update`); during `amending` and before `amend_until` a
  leader or staff user of a unit PRESENT at the meeting proposes amendments; the
  secretariat accepts (and takes them into the text) or declines them, with a note.
- `approved`: one of the two approvals is in; the text no longer changes.
- `sealed`: both approvals are in; `content` holds the frozen content (below), `sha256`
  its hash, `sealed_at` the time. Nothing of the row, its sections or its amendments
  changes again (these services refuse, and the triggers of migration 0003 refuse UPDATE
  and DELETE in the database). A correction is `minutes_new_version` (a new draft with the
  sections copied; the sealed version stays).

Sealed content (`Minutes.content`, built by `minutes_content`), the input of the minutes
PDF (document type BB). Plain JSON: strings, ints, bools, null, lists, objects. Dates are
ISO strings ("2019-12-11") with a ready "dd/mm/yyyy" twin; datetimes ISO 8601 with offset
in Asia/Ho_Chi_Minh; percentages strings with two decimals ("66.67"), never floats.

    {
      "schema": "khoithidua/bien-ban-hoi-nghi/v1",
      "minutes": {"id": 7, "version": 1, "sealed_at": "2019-12-12T09:00:00+07:00" | null},
      "province": {"id", "name", "board_name", "authority_name"},
      "bloc": {"id", "name", "number": int | null},
      "bloc_year": {"id", "year"},
      "meeting": {
        "id", "kind": "mid_year" | "year_end" | "other",
        "kind_label": "Hội nghị tổng kết năm",
        "held_on": "2019-12-11", "held_on_display": "11/12/2019",
        "starts_at": "08:00" | null, "place": "...",
        "host_unit": {"id", "name"} | null, "summary": "..."
      },
      "people": {                      # each list in the meeting's order; may be empty
        "chair": [PERSON], "secretary": [PERSON], "guest": [PERSON], "counting": [PERSON]
      },                               # PERSON = {"name", "title", "unit": "" | name, "note"}
      "attendance": {
        "members": 9, "present": 8, "absent": 1, "excused": 0, "unrecorded": 0,
        "quorum": {"required": 6, "met": true, "numerator": 2, "denominator": 3,
                   "label": "Có mặt 8/9 đơn vị (yêu cầu ít nhất 6 = 2/3): đủ điều kiện ..."},
        "units": [                     # every member unit, head and deputy first, then by name
          {"unit_id", "unit": "Sở Công Thương", "role": "head" | "deputy" | "member",
           "status": "present" | "absent" | "excused" | "",   # "": not recorded
           "status_label": "Có mặt", "representative_name": "...",
           "representative_title": "..."}
        ]
      },
      "opening": "text (paragraphs separated by blank lines)",
      "sections": [                    # one per agenda item, in order
        {"order": 1, "title": "...", "presenter": "...", "text": "free text"}
      ],
      "ballots": [                     # each closed or published ballot of the meeting, by id
        {"id", "kind": "nomination" | "election", "kind_label", "title",
         "award_type": "" | "Cờ thi đua của UBND tỉnh", "method", "method_label",
         "status": "closed" | "published", "closed_at": iso | null,
         "illustrative": bool,          # true: "số liệu minh họa" must be printed
         "small_electorate": bool,
         "members", "present", "entitled", "issued", "returned", "valid", "invalid",
                                        # ints, or null when not known
         "base": "members" | "present" | "valid", "base_label", "base_count",
         "threshold_label": "trên 1/2", "tie_note": "",
         "rows": [{"unit_id", "unit", "position": "" | "head" | "deputy",
                   "position_label", "yes", "no", "blank", "percent": "88.89",
                   "passed": bool, "elected": bool}]}
      ],
      "closing": "text",
      "amendments": [                  # every amendment with its resolution
        {"unit": "...", "section": "" | section title, "text": "...",
         "resolution": "pending" | "accepted" | "declined", "resolution_label", "note"}
      ],
      "approvals": {
        "chair": {"name", "username", "at": iso} | null,
        "secretary": {"name", "username", "at": iso} | null
      }
    }

The PDF prints: the header, "BIÊN BẢN HỘI NGHỊ" with meeting.kind_label, time and place,
the people ("Chủ trì", "Thư ký", "Khách mời"), the attendance (counts, units present and
absent, the quorum label), "opening", each section (title, text), "Kết quả bỏ phiếu" with
each ballot's table, "closing", then the signatures of chair and secretary.

`minutes_verify(minutes=...)` recomputes the hash: sha256 over the canonical JSON of
`content` (sort_keys, ensure_ascii=False, separators (",", ":"), strings NFC, UTF-8).
"""
