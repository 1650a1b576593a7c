"""The shipped chain's words in English (bpmn/commendation_chain.bpmn): its steps' names and descriptions, the names
of its other elements and of its pool, and its decisions as a dossier's history tells them.

Keyed by the BPMN's exact Vietnamese text (NFC), so only the shipped chain's words are translated: a version an admin
deploys with words of their own shows them as written. The BPMN itself never changes: i18n.translate reads these
where its EN lacks a text (templates call `_()` on a step's name), and the diagram gets its names' English from
i18n.diagram_words(). tests/unit/test_step_words_en.py parses the BPMN and checks every word of it has its English."""

from __future__ import annotations

from ..domain.notices_en import STEP_NAMES_EN

# The names of the events, the gateways, the pool and the process, and the process's title as the process pages
# show it (queries.processes.process_title: its name without the path written into it).
ELEMENT_NAMES_EN: dict[str, str] = {
    "Quy trình xét khen thưởng phong trào thi đua": "Commendation review process of emulation campaigns",
    "Xét khen thưởng: đơn vị → phường/xã → huyện → tỉnh":
        "Commendation review: unit → ward/commune → district → province",
    "Xét khen thưởng": "Commendation review",
    "Bắt đầu lập hồ sơ": "Dossier preparation starts",
    "Nộp hay rút hồ sơ?": "Submit or withdraw the dossier?",
    "Đơn vị rút hồ sơ": "The unit withdraws the dossier",
    "Quá hạn thẩm định": "Appraisal overdue",
    "Báo lãnh đạo: hồ sơ quá hạn": "Leaders told: dossier overdue",
    "Đã báo quá hạn": "Overdue reported",
    "Kết quả thẩm định?": "Appraisal result?",
    "Kết quả biểu quyết?": "Result of the vote?",
    "Chủ tịch quyết định?": "Chairman's decision?",
    "Khen thưởng ở cấp này?": "Commended at this level?",
    "Tặng khen thưởng cấp phường/xã": "Commendation given at ward/commune level",
    "Tặng khen thưởng cấp huyện/thành phố": "Commendation given at district/city level",
    "Tặng Bằng khen của Chủ tịch UBND tỉnh": "Certificate of Merit of the provincial People's Committee Chairman",
    # "Không khen thưởng" (the end events of a refusal) has its entry in i18n.EN: "No commendation".
}

# Each step's description (its BPMN documentation), shown on the task page.
DESCRIPTIONS_EN: dict[str, str] = {
    "Đơn vị họp bình xét, lập hồ sơ đề nghị khen thưởng (biên bản họp, tờ trình, báo cáo thành tích, trích ngang) và "
    "nộp lên Văn phòng UBND phường/xã; khi bị trả lại thì bổ sung và nộp lại.":
        "The unit meets to consider its nominees, prepares the commendation dossier (meeting minutes, proposal "
        "letter, achievement reports, summaries) and submits it to the ward/commune People's Committee Office; "
        "when it is returned, the unit supplements it and submits it again.",
    "Văn phòng UBND phường/xã tiếp nhận, thẩm định tính đầy đủ, hợp lệ của hồ sơ và tổng hợp trình Hội đồng Thi đua "
    "– Khen thưởng.":
        "The ward/commune People's Committee Office receives the dossier, appraises whether it is complete and "
        "valid, and puts it before the Emulation & Commendation Council.",
    "Thư ký Hội đồng Thi đua – Khen thưởng phường/xã ghi nhận kết quả họp, biểu quyết của Hội đồng.":
        "The secretary of the ward/commune Emulation & Commendation Council records the result of the council's "
        "meeting and vote.",
    "Chủ tịch UBND phường/xã quyết định tặng Giấy khen hoặc trình cấp trên khen thưởng.":
        "The Chairman of the ward/commune People's Committee decides to give a Certificate of Commendation or "
        "proposes the commendation to the level above.",
    "Phòng Nội vụ thẩm định hồ sơ đề nghị cấp huyện/thành phố khen thưởng.":
        "The Home Affairs Office appraises dossiers proposed for commendation at district/city level.",
    "Thư ký Hội đồng Thi đua – Khen thưởng cấp huyện ghi nhận kết quả biểu quyết.":
        "The secretary of the district Emulation & Commendation Council records the result of the vote.",
    "Chủ tịch UBND huyện/thành phố quyết định tặng Giấy khen hoặc trình UBND tỉnh khen thưởng.":
        "The Chairman of the district/city People's Committee decides to give a Certificate of Commendation or "
        "proposes the commendation to the provincial People's Committee.",
    "Ban Thi đua – Khen thưởng (Sở Nội vụ) thẩm định hồ sơ đề nghị Chủ tịch UBND tỉnh tặng Bằng khen.":
        "The Emulation & Commendation Board (Department of Home Affairs) appraises dossiers proposing that the "
        "Chairman of the provincial People's Committee give a Certificate of Merit.",
    "Thư ký Hội đồng Thi đua – Khen thưởng tỉnh ghi nhận kết quả biểu quyết.":
        "The secretary of the provincial Emulation & Commendation Council records the result of the vote.",
    "Chủ tịch UBND tỉnh quyết định tặng Bằng khen.":
        "The Chairman of the provincial People's Committee decides to give the Certificate of Merit.",
}

# The names of the chain's flows: its steps' decisions as their forms offer them ("Đạt", "Thông qua", "Đồng ý"…)
# and the two ways on from a chairman's approval. Their English is in i18n.EN (the form's words: "Met", "Approve").
FLOW_NAMES: tuple[str, ...] = (
    "Nộp hồ sơ", "Rút hồ sơ", "Đạt", "Trả lại bổ sung", "Không đạt", "Thông qua", "Trả lại thẩm định",
    "Không thông qua", "Trả lại Hội đồng", "Không khen thưởng", "Đồng ý", "Hình thức do cấp này tặng", "Trình cấp trên",
)  # fmt: skip

# A decision as a dossier's history tells it, in the step's own words: the form offers "Đồng ý" ("Approve"), the
# history says what was done ("Agreed"). A decision a version words otherwise reads as its generic label.
DECIDED_EN: dict[str, str] = {
    "Nộp hồ sơ": "Submitted",
    "Rút hồ sơ": "Withdrawn",
    "Đạt": "Met",
    "Trả lại bổ sung": "Returned for supplement",
    "Không đạt": "Not met",
    "Thông qua": "Passed",
    "Trả lại thẩm định": "Returned for appraisal",
    "Không thông qua": "Not passed",
    "Trả lại Hội đồng": "Returned to the council",
    "Đồng ý": "Agreed",
    "Không khen thưởng": "Not commended",
}

# What i18n.translate reads where its EN lacks the text.
STEP_WORDS_EN: dict[str, str] = {**STEP_NAMES_EN, **ELEMENT_NAMES_EN, **DESCRIPTIONS_EN}
# The names the diagram draws (steps, events, gateways, the pool, flows), which diagram.js shows in English.
DIAGRAM_NAMES: tuple[str, ...] = (*STEP_NAMES_EN, *ELEMENT_NAMES_EN, *FLOW_NAMES)
