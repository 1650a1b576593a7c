"""The English of refusal messages (service.errors.DomainError) and how a page shows a refusal in its reader's
language: the refusal keeps its Vietnamese template and values, and the page translates the template (and any
value from a fixed set: a level, an action's words, a phrase of its own) before filling it in. The JSON API and the
CLI keep the Vietnamese `message`. tests/unit/test_refusal_messages_en.py fails on a refusal without English.

Also the English of what the code puts together that is no refusal: the Phrases (WORDS: an eligibility detail, a
quota line, the auditor's filter sentences; `built`), words a refusal was given as finished text (VALUE_PATTERNS),
and the process editor's BPMN problems (PROBLEMS_EN, `problem_in`); tests/unit/test_english_of_built_texts.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from string import Formatter

from ..domain.notices_en import LEVEL_WORDS_EN
from ..errors import DomainError, Listed, Phrase
from .i18n import EN as UI_EN
from .i18n import current_locale

# Vietnamese template → English, with the same placeholders.
EN: dict[str, str] = {
    "thidua backup/restore lo cho bản SQLite; với PostgreSQL hãy dùng pg_dump/pg_restore (xem README).":
        "thidua backup/restore handles SQLite databases; for PostgreSQL use pg_dump/pg_restore (see the README).",
    "Bản sao lưu hỏng: cơ sở dữ liệu không khớp mã băm.":
        "The backup is damaged: the database does not match its hash.",
    "Bản sao lưu hỏng: tệp {name} không khớp mã băm.": "The backup is damaged: file {name} does not match its hash.",
    "Hồ sơ phải có ít nhất một tập thể hoặc cá nhân được đề nghị khen thưởng.":
        "A dossier must nominate at least one collective or individual.",
    "Hình thức khen thưởng phải do cấp phường/xã trở lên tặng.":
        "An award form must be granted at ward/commune level or above.",
    "Cấp '{level}' không hợp lệ.": "Level '{level}' is not valid.",
    "Không có tài khoản “{username}”.": "There is no account “{username}”.",
    "Không đề nghị được “{award}” cho {full_name}: cấp {level_words} không còn trên đường trình hồ sơ của đơn vị (đã bãi bỏ hoặc quy trình không có bước cấp này). Hãy chọn hình thức khen khác.":
        "“{award}” cannot be requested for {full_name}: the {level_words} level is no longer on the unit's dossier path (abolished, or the process has no step at that level). Choose another award form.",
    ("Không đề nghị được “{award}” cho {full_name}: hồ sơ phải qua cấp {level_words}, nhưng cấp này không còn đơn vị "
     "nào đang hoạt động mà quy trình đang dùng vẫn có bước ở đó. Quản trị viên cần triển khai phiên bản quy trình "
     "không có cấp {level_words}; hoặc chọn hình thức khen khác."):
        ("“{award}” cannot be requested for {full_name}: the dossier would have to pass the {level_words} level, which "
         "has no open unit left while the process in use still has steps there. An administrator needs to deploy a "
         "process version without the {level_words} level; or choose another award form."),
    "Dòng {line}: phong trào {code} không có hình thức '{award_code}' (có: {names}).":
        "Line {line}: campaign {code} has no award form '{award_code}' (it has: {names}).",
    "Dòng {line}: {name} không xét cho {kind}.": "Line {line}: {name} is not considered for {kind}.",
    "Hạn nhận hồ sơ ở cấp {level} của phong trào {code} là ngày {deadline:%d/%m/%Y}; hôm nay {today:%d/%m/%Y} đã quá hạn, hồ sơ nộp muộn không được xét.":
        "The deadline for dossiers at {level} level in campaign {code} was {deadline:%d/%m/%Y}; today, {today:%d/%m/%Y}, it has passed, and late dossiers are not considered.",
    "Phong trào {code} chỉ nhận hồ sơ từ {start} đến {end}.":
        "Campaign {code} accepts dossiers only from {start} to {end}.",
    "Tệp phong trào phải là một đối tượng (YAML/JSON) ở cấp ngoài cùng.":
        "A campaign file must be an object (YAML/JSON) at its top level.",
    "Tệp phong trào có lỗi:\n{problems}": "The campaign file has errors:\n{problems}",
    "Phong trào mới phải có mã khác mã {code} của phong trào đang sửa; hãy đổi `code` trong tệp.":
        "A new campaign needs a code other than {code}, the code of the campaign being edited; change `code` in the file.",
    "Tệp có mã {code}, khác mã {editing} của phong trào đang sửa; không đổi được mã của một phong trào. Muốn tạo phong trào mới từ tệp này, hãy chọn «Lưu thành phong trào mới»; muốn sửa phong trào {editing}, hãy giữ mã {editing}.":
        "The file has code {code}, not {editing}, the code of the campaign being edited; a campaign's code cannot change. To make a new campaign from this file, choose \u201cSave as a new campaign\u201d; to edit campaign {editing}, keep the code {editing}.",
    "Đã có phong trào mã {code}; hãy mở nó để sửa, hoặc đặt mã khác cho phong trào mới.":
        "Campaign {code} already exists; open it to edit it, or give the new campaign another code.",
    "{filename}: không phải tệp văn bản UTF-8 (YAML hoặc JSON).": "{filename}: not a UTF-8 text file (YAML or JSON).",
    "{name} ({code}) đã ngừng hoạt động từ ngày {valid_to:%d/%m/%Y} (sáp nhập hoặc bãi bỏ cấp); không giao vai trò tại đơn vị đã ngừng. Hãy chọn đơn vị đang hoạt động thay cho nó.":
        "{name} ({code}) closed on {valid_to:%d/%m/%Y} (merged or its level abolished); roles are not granted at a closed unit. Choose a unit that is open instead.",
    "Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx), JPEG hoặc PNG; nội dung tệp này không phải các loại đó.":
        "Only PDF, Word (.docx), Excel (.xlsx), JPEG or PNG files are accepted; this file's content is none of those.",
    "Loại tài liệu không có: {value}": "No such document kind: {value}",
    "Tệp rỗng.": "The file is empty.",
    "Tệp lớn quá {value} MB.": "The file is larger than {value} MB.",
    "Phải ghi rõ lý do khi {what}.": "A reason is required to {what}.",
    "Ghi cả tổng số thành viên Hội đồng và số thành viên có mặt (hoặc để trống cả hai).":
        "Enter both the council's total membership and the members present (or leave both empty).",
    "Số thành viên có mặt phải từ 1 đến tổng số thành viên Hội đồng.":
        "The members present must be between 1 and the council's total membership.",
    "Cuộc họp không đủ số thành viên: có mặt {present}/{council_size}, cần từ {quorum_percent}% trở lên.":
        "The meeting has no quorum: {present}/{council_size} present, at least {quorum_percent}% needed.",
    "Đã ghi số phiếu thì phải ghi cả tổng số thành viên Hội đồng và số thành viên có mặt: tỷ lệ phiếu tính trên số có mặt. Hãy ghi đủ hai số đó, hoặc xóa số phiếu nếu Hội đồng không biểu quyết theo từng người.":
        "Vote counts need the council's total membership and the members present too: the share of votes is taken of those present. Enter both numbers, or clear the vote counts if the council did not vote nominee by nominee.",
    "Không còn ai được đề nghị; hãy chọn 'không đồng ý' cho cả hồ sơ.":
        "Nobody is left nominated; choose 'reject' for the whole dossier.",
    "Thiếu số phiếu đồng ý cho {full_name}.": "The votes in favour of {full_name} are missing.",
    "Số phiếu của {full_name} không hợp lệ (vượt số thành viên có mặt).":
        "The vote counts for {full_name} are not valid (more than the members present).",
    "Phải ghi lý do không đề nghị khen thưởng cho {full_name}.":
        "A reason is required for not recommending {full_name}.",
    "Bạn không có quyền xử lý việc này (không giữ vai trò của bước tại đơn vị này).":
        "You may not handle this task (you do not hold the step's role at this unit).",
    "Việc này đang do một cán bộ khác nhận xử lý.": "Another official has claimed this task.",
    "Việc này đang do {name} nhận xử lý.": "{name} has claimed this task.",
    "Bước “{step}” không duyệt hàng loạt được; hãy mở từng hồ sơ.":
        "The step “{step}” cannot be approved in bulk; open each dossier.",
    "Chỉ kiểm toán viên và quản trị viên được xem nhật ký.":
        "Only auditors and administrators may view the audit trail.",
    "Trích ngang dài {length} ký tự; tối đa nửa trang ({max_summary_chars} ký tự).":
        "The summary is {length} characters long; at most half a page ({max_summary_chars} characters).",
    "Trích ngang có quá {max_summary_lines} dòng; tối đa nửa trang.":
        "The summary has more than {max_summary_lines} lines; at most half a page.",
    "Không có người dùng '{username}'.": "There is no user '{username}'.",
    "Chỉ giao được cho cán bộ giữ cùng vai trò tại cùng đơn vị.":
        "A task can only be assigned to an official holding the same role at the same unit.",
    "Chưa chọn việc nào.": "No task was selected.",
    "Đợt xét không còn hồ sơ nào.": "The batch has no dossiers left.",
    "{count} chỗ cần sửa: {gaps}": "{count} things to correct: {gaps}",
    "Ghi số phiếu đồng ý áp dụng cho tất cả (hoặc để trống cả hai ô).":
        "Enter the votes in favour to apply to everyone (or leave both boxes empty).",
    "Đã ghi số phiếu áp dụng cho tất cả thì phải ghi cả tổng số thành viên Hội đồng và số thành viên có mặt: tỷ lệ "
    "phiếu tính trên số có mặt.":
        "Votes applied to everyone need the council's size and the members present: the share of votes is counted on "
        "those present.",
    "Chưa ghi nhận hồ sơ nào của đợt: {count} hồ sơ chưa ghi nhận được (lý do ở dòng của từng hồ sơ). Sửa rồi ghi nhận "
    "lại cả đợt.":
        "Nothing of the batch was recorded: {count} dossier(s) could not be recorded (the reason is under each one's "
        "rows). Correct them and record the whole batch again.",
    "Đang có một lần kiểm tra toàn vẹn nhật ký chờ kết quả; chưa thể yêu cầu thêm.":
        "An audit trail integrity check is already pending; another cannot be requested yet.",
    "issuing_unit: không có đơn vị mã '{issuing_unit}'.": "issuing_unit: there is no unit with code '{issuing_unit}'.",
    "Không có phong trào '{code}'.": "There is no campaign '{code}'.",
    "Không có phong trào '{campaign_code}'.": "There is no campaign '{campaign_code}'.",
    "Chỉ cán bộ thi đua hoặc thủ trưởng đơn vị mới đăng ký thi đua cho đơn vị.":
        "Only the unit's emulation clerk or head may register the unit for a campaign.",
    "Hạn đăng ký thi đua là ngày {deadline:%d/%m/%Y}; đã quá hạn.":
        "The registration deadline was {deadline:%d/%m/%Y}; it has passed.",
    "Phong trào {code} đã kết thúc ngày {period_to:%d/%m/%Y}; không nhận đăng ký thi đua nữa.":
        "Campaign {code} ended on {period_to:%d/%m/%Y}; it takes no more registrations.",
    "{filename}: không đọc được YAML/JSON{where}.": "{filename}: the YAML/JSON could not be read{where}.",
    "award_forms: '{code}' đã có với cấp tặng '{granting_level}', không đổi thành '{granting_level2}' được.":
        "award_forms: '{code}' already exists granted at '{granting_level}' and cannot be changed to '{granting_level2}'.",
    "Khổ phôi phải từ 50 đến 500 mm mỗi chiều.": "A blank must measure 50 to 500 mm each way.",
    "Các trường của phôi phải đúng là: {value}.": "The blank's fields must be exactly: {value}.",
    "Chỉ quản trị viên mới đặt bố cục phôi.": "Only administrators may set a blank's layout.",
    "Không tìm thấy giấy khen/bằng khen.": "Certificate not found.",
    "Bố cục phôi cần khổ giấy và vị trí (x, y, độ rộng, cỡ chữ) là số cho từng trường.":
        "A blank's layout needs the paper size and, for each field, its position (x, y, width, font size) as numbers.",
    "Trường “{field}” nằm ngoài khổ phôi hoặc cỡ chữ không hợp lệ.":
        "Field “{field}” lies outside the blank or its font size is not valid.",
    "Không tìm thấy phong trào hoặc đơn vị.": "Campaign or unit not found.",
    "Chỉ lãnh đạo hoặc bộ phận thi đua của đơn vị mới ra quyết định khen thưởng.":
        "Only the unit's leaders or its emulation office may issue award decisions.",
    "Cần ghi tên người ký quyết định.": "Enter the name of the decision's signer.",
    "Chưa có tập thể, cá nhân nào được Chủ tịch đồng ý khen mà chưa có quyết định.":
        "No collective or individual granted by the chairman is still without a decision.",
    "Chưa triển khai quy trình '{key}'. Hãy chạy 'thidua init' hoặc 'thidua bpmn deploy'.":
        "Process '{key}' is not deployed. Run 'thidua init' or 'thidua bpmn deploy'.",
    "Quy trình {filename} không hợp lệ:\n{text}": "Process {filename} is not valid:\n{text}",
    "Không tìm thấy phiên bản quy trình {version_id}.": "Process version {version_id} not found.",
    "Nội dung phiên bản quy trình {version_id} không khớp mã băm đã lưu.":
        "The content of process version {version_id} does not match its stored hash.",
    "Loại tài liệu '{kind}' không có.": "There is no document kind '{kind}'.",
    "Không tìm thấy tài liệu.": "Document not found.",
    "Người được đề nghị không thuộc hồ sơ này.": "The nominee does not belong to this dossier.",
    "Tệp của tài liệu này không còn trong kho lưu trữ; hãy báo quản trị viên.":
        "This document's file is no longer in storage; tell an administrator.",
    "Không tìm thấy phong trào thi đua '{campaign_code}'.": "Campaign '{campaign_code}' not found.",
    "Hồ sơ phải do một đơn vị cơ sở (ngành, bộ phận, khu phố, ấp…) lập.":
        "A dossier must be lodged by a grassroots unit (sector, department, neighbourhood, hamlet…).",
    "Chỉ cán bộ phụ trách thi đua của đơn vị mới lập được hồ sơ cho đơn vị này.":
        "Only the unit's emulation clerk may lodge dossiers for this unit.",
    "Hồ sơ cần có tiêu đề.": "A dossier needs a title.",
    # A typed text longer than its column holds (domain.field_limits).
    "“{field}” dài {length} ký tự; tối đa {limit} ký tự.":
        "“{field}” is {length} characters long; at most {limit} characters are allowed.",
    "Dòng {row}: “{field}” dài {length} ký tự; tối đa {limit} ký tự.":
        "Row {row}: “{field}” is {length} characters long; at most {limit} characters are allowed.",
    "{name} chưa đăng ký thi đua trong phong trào {code}: theo quy định của phong trào, chỉ đơn vị đã đăng ký thi đua{by} mới được đề nghị khen thưởng.":
        "{name} has not registered for campaign {code}: under the campaign's rules, only units that registered{by} may propose awards.",
    "Chỉ quản trị viên mới hủy được quy trình của hồ sơ.": "Only administrators may cancel a dossier's process.",
    "Phải ghi lý do hủy.": "A reason for cancelling is required.",
    "Không tìm thấy hồ sơ.": "Dossier not found.",
    "Quy trình của hồ sơ này {finished}; không hủy được nữa.":
        "This dossier's process {finished}; it can no longer be cancelled.",
    "Dòng {row}: hình thức khen thưởng '{award_form_code}' không có.":
        "Row {row}: there is no award form '{award_form_code}'.",
    "Dòng {row}: loại đối tượng phải là cá nhân hoặc tập thể.": "Row {row}: the kind must be individual or collective.",
    "Dòng {row}: thiếu tên tập thể/cá nhân.": "Row {row}: the collective's or individual's name is missing.",
    "Chỉ cán bộ thi đua của đơn vị nộp mới sửa được hồ sơ này.":
        "Only the submitting unit's emulation clerk may edit this dossier.",
    "Hồ sơ đã nộp và đang được xét; chỉ sửa được khi hồ sơ được trả lại đơn vị.":
        "The dossier was submitted and is under review; it can be edited only when it is returned to the unit.",
    "Hình thức khen thưởng '{award_form_code}' không có.": "There is no award form '{award_form_code}'.",
    "Loại đối tượng phải là cá nhân hoặc tập thể.": "The kind must be individual or collective.",
    "Thiếu tên tập thể/cá nhân.": "The collective's or individual's name is missing.",
    "Không tìm thấy người được đề nghị.": "Nominee not found.",
    "Hồ sơ phải còn ít nhất một người được đề nghị.": "A dossier must keep at least one nominee.",
    "Hồ sơ không còn ở đơn vị (đã nộp và đang được xét, hoặc đã kết thúc); không rút được nữa.":
        "The dossier is no longer with the unit (submitted and under review, or ended); it can no longer be withdrawn.",
    "Chỉ quản trị viên mới tạm dừng, tiếp tục, hủy quy trình hoặc giao lại việc.":
        "Only administrators may suspend, resume or cancel a process, or reassign its tasks.",
    "Phải ghi lý do {what}.": "A reason is required to {what}.",
    "Không tìm thấy quy trình.": "Process not found.",
    "{refusal}; quy trình này {status_words}.": "{refusal}; this process {status_words}.",
    "Không tìm thấy việc cần xử lý.": "Task not found.",
    "Việc này đã được xử lý hoặc không còn hiệu lực; không giao lại được.":
        "This task was already handled or is no longer open; it cannot be reassigned.",
    "Quy trình của việc này {status_words}.": "This task's process {status_words}.",
    "Việc này đã do chính người đó xử lý.": "That person already holds this task.",
    "Việc này đang chờ cả nhóm; chọn một người để giao.":
        "This task is waiting for the whole group; choose someone to assign it to.",
    "Quy trình vừa được người khác thay đổi; chưa có gì được ghi. Hãy tải lại.":
        "Someone else has just changed the process; nothing was recorded. Please reload.",
    "Chỉ giao lại được cho người đang hoạt động, giữ vai trò của việc này tại đúng đơn vị.":
        "A task can only be reassigned to an active user holding its role at its unit.",
    "Đơn vị nộp hồ sơ không thuộc đơn vị cấp {level_words} nào; quy trình cần một đơn vị cấp này để giao việc.":
        "The submitting unit belongs to no {level_words} level unit; the process needs one at that level to assign the task.",
    "Không tạo được văn bản '{document}' trong nền.": "Document '{document}' cannot be made in the background.",
    "Chỉ quản trị viên mới chuyển phiên bản quy trình.": "Only administrators may migrate process versions.",
    "Không tìm thấy phiên bản quy trình.": "Process version not found.",
    "Chỉ chuyển giữa hai phiên bản khác nhau của cùng một quy trình.":
        "Migration is only between two different versions of the same process.",
    "Chỉ đơn vị lập hồ sơ mới tạo tờ trình của đơn vị.":
        "Only the unit that lodged the dossier may make its proposal letter.",
    "Chỉ lãnh đạo hoặc bộ phận thi đua của đơn vị mới lập tờ trình của đơn vị.":
        "Only the unit's leaders or its emulation office may make the unit's proposal letter.",
    "Chưa có tập thể, cá nhân nào được trình lên cấp trên.":
        "No collective or individual has been put forward to the level above yet.",
    "Không có phong trào này.": "There is no such campaign.",
    "Chỉ quản trị viên mới quản lý cây đơn vị.": "Only administrators may manage the org tree.",
    "Không tìm thấy đơn vị {unit_id}.": "Unit {unit_id} not found.",
    "Cấp '{level}' không có (các cấp: {listed}).": "There is no level '{level}' (the levels: {listed}).",
    "Ngày hiệu lực {day} trước ngày đơn vị '{name}' được lập ({valid_from}): không thể {what}.":
        "The effective date {day} is before unit '{name}' was founded ({valid_from}): cannot {what}.",
    "Đơn vị '{name}' đã ngừng từ {valid_to}: không thể {what}.": "Unit '{name}' ceased on {valid_to}: cannot {what}.",
    "Đơn vị cấp {level_words} phải nằm dưới một đơn vị cấp cao hơn; '{name}' là cấp {level_words2}.":
        "A {level_words} level unit must sit under a higher-level unit; '{name}' is at {level_words2} level.",
    "Đơn vị cha '{name}' không còn hiệu lực ngày {day}.": "Parent unit '{name}' is no longer in force on {day}.",
    "Cần mã và tên đơn vị.": "A unit code and name are required.",
    "Mã đơn vị '{code}' đã có.": "Unit code '{code}' already exists.",
    "Cần tên mới.": "A new name is required.",
    "Tên mới trùng tên hiện tại.": "The new name is the same as the current one.",
    "Ngày hiệu lực phải sau {since} (lần đổi tên hoặc ngày lập trước đó).":
        "The effective date must be after {since} (the previous renaming or founding date).",
    "Không thể chuyển '{name}' vào dưới chính nó hoặc đơn vị con của nó (tạo vòng).":
        "'{name}' cannot be moved under itself or one of its sub-units (that would make a loop).",
    "Không thể {what}: còn hồ sơ đang xử lý tại đơn vị liên quan ({listed}). Hãy hoàn tất hoặc chuyển các hồ sơ này trước.":
        "Cannot {what}: dossiers are still in process at the units concerned ({listed}). Finish or move those dossiers first.",
    "Không thể sáp nhập một đơn vị vào chính nó.": "A unit cannot be merged into itself.",
    "Đơn vị nhận '{name}' không còn hiệu lực ngày {effective}.":
        "Receiving unit '{name}' is no longer in force on {effective}.",
    "Không thể sáp nhập một đơn vị vào đơn vị con của nó.": "A unit cannot be merged into one of its sub-units.",
    "Hãy chọn đơn vị nhận.": "Choose the receiving unit.",
    "Không thể sáp nhập '{name}' (thuộc {parent}) vào '{name2}' (thuộc {parent2}): đơn vị nhận phải cùng cấp và thuộc cùng đơn vị cấp trên, hoặc thuộc một đơn vị ngang cấp với đơn vị cấp trên đó trong cùng một đơn vị cấp trên nữa (ví dụ hai phường của hai huyện trong cùng một tỉnh). Nếu thật sự cần, hãy chuyển đơn vị sang đơn vị cha mới trước.":
        "Cannot merge '{name}' (under {parent}) into '{name2}' (under {parent2}): the receiving unit must be of the same level and under the same parent, or under a unit of the parent's level that shares the parent's own parent (e.g. two wards of two districts of one province). If this is really meant, move the unit to its new parent first.",
    "Chỉ sáp nhập các đơn vị cùng cấp ('{name}' là cấp {level_words}, '{name2}' là cấp {level_words2}).":
        "Only units of the same level can be merged ('{name}' is at {level_words} level, '{name2}' at {level_words2} level).",
    "Không thể bãi bỏ cấp cao nhất ({level_words}).": "The top level ({level_words}) cannot be abolished.",
    "Không có đơn vị cấp {level_words} còn hiệu lực ngày {effective}.":
        "No {level_words} level unit is in force on {effective}.",
    "Ngày hiệu lực {effective} trước ngày lập '{name}' ({valid_from}).":
        "The effective date {effective} is before '{name}' was founded ({valid_from}).",
    "Chỉ Văn phòng, Phòng Nội vụ, Ban TĐKT hoặc quản trị viên mới nhập hồ sơ theo dõi.":
        "Only the Office, the Home Affairs Division, the Emulation & Commendation Board or administrators may import records.",
    "Bạn không được nhập hồ sơ theo dõi của đơn vị {code}: đơn vị không thuộc phạm vi của bạn.":
        "You may not enter records of unit {code}: it is not within your units.",
    "Chỉ lãnh đạo hoặc bộ phận thi đua của cấp ban hành phong trào mới lập báo cáo và thông báo của phong trào.":
        "Only the leaders or the emulation office of the level that issued the campaign may draw up its report and notices.",
    "Loại dữ liệu phải là index, rating hoặc award.": "The record kind must be index, rating or award.",
    "Tệp có quá {max_rows} dòng.": "The file has more than {max_rows} rows.",
    "Thiếu cột: {value}.": "Missing columns: {value}.",
    "Không đọc được tệp Excel (.xlsx).": "The Excel (.xlsx) file cannot be read.",
    "Việc này đã được xử lý hoặc không còn hiệu lực.": "This task was already handled or is no longer open.",
    "Quy trình của hồ sơ này đang tạm dừng; chưa thể nhận, trả lại hay xử lý việc.":
        "This dossier's process is suspended; its tasks cannot be claimed, released or handled yet.",
    "Việc này vừa được người khác nhận hoặc xử lý; hãy tải lại hộp việc.":
        "Someone else has just claimed or handled this task; reload the inbox.",
    "Quyết định '{decision}' không hợp lệ ở bước này.": "Decision '{decision}' is not valid at this step.",
    "Hãy chọn quyết định.": "Choose a decision.",
    "Hãy chọn phong trào thi đua.": "Choose a campaign.",
    "Dòng {line}: {problems}.": "Row {line}: {problems}.",
    "Chưa thêm được dòng này: {problems}.": "The record was not added: {problems}.",
    "thiếu “{column}”": "“{column}” is missing",
    "“{column}” phải là số": "“{column}” must be a number",
    "không có đơn vị mã “{code}”": "there is no unit with code “{code}”",
    "xếp loại phải là một trong: {ratings}": "the rating must be one of: {ratings}",
    "“Loại” phải là tập thể hoặc cá nhân": "“Loại” must be “tập thể” (collective) or “cá nhân” (individual)",
    "“Ngày quyết định” phải có dạng ngày/tháng/năm":
        "“Ngày quyết định” must be a date written day/month/year (such as 15/12/2023)",
    "Quy trình của hồ sơ này không còn chạy.": "This dossier's process is no longer running.",
    "Chưa đủ điều kiện: {problems}.": "Conditions not met: {problems}.",
    "Quy trình gặp lỗi, chưa ghi nhận quyết định: {message}":
        "The process hit an error; the decision was not recorded: {message}",
    "Hồ sơ vừa được người khác xử lý; quyết định của bạn chưa được ghi. Hãy tải lại.":
        "Someone else has just handled the dossier; your decision was not recorded. Please reload.",
    "Việc này vừa được người khác xử lý; quyết định của bạn chưa được ghi. Hãy tải lại.":
        "Someone else has just handled this task; your decision was not recorded. Please reload.",
    "Hồ sơ còn thiếu: {listed}.": "The dossier still lacks: {listed}.",
    "Vượt chỉ tiêu khen thưởng: {broken}.": "Award quota exceeded: {broken}.",
    "Chỉ quản trị viên mới quản lý người dùng và vai trò.": "Only administrators may manage users and roles.",
    "Tên đăng nhập 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới.":
        "A username is 3–64 characters: lowercase letters without diacritics, digits, dots, hyphens, underscores.",
    "Cần họ và tên.": "A full name is required.",
    "Mật khẩu cần ít nhất {minimum} ký tự.": "A password needs at least {minimum} characters.",
    "Mật khẩu không được trùng với tên đăng nhập.": "A password may not be the username.",
    "Hai lần nhập mật khẩu mới không khớp nhau; hãy nhập lại.":
        "The two entries of the new password differ; type them again.",
    "Mật khẩu mới phải khác mật khẩu hiện tại.": "The new password must differ from the current one.",
    "Mật khẩu hiện tại không đúng.": "The current password is wrong.",
    "Không đặt lại mật khẩu của chính mình ở đây; hãy dùng trang «Đổi mật khẩu».":
        "Your own password is not reset here; use the «Change password» page.",
    "Tên đăng nhập '{username}' đã có.": "Username '{username}' already exists.",
    "Vai trò '{role}' không có.": "There is no role '{role}'.",
    "Không tìm thấy người dùng hoặc đơn vị.": "User or unit not found.",
    "{username} đã giữ vai trò «{role}» tại {name}; không giao lại.":
        "{username} already holds the role «{role}» at {name}; not granted again.",
    "Không tìm thấy vai trò.": "Role not found.",
    "Không tìm thấy người dùng.": "User not found.",
    "Không thể tự khóa tài khoản của mình.": "You cannot lock your own account.",
    "Chỉ quản trị viên mới vào trang quản trị.": "Only administrators may open the administration pages.",
    "Không tìm thấy.": "Not found.",
    "Trường không được hỗ trợ{where}: {value}.": "Unsupported fields{where}: {value}.",
    "Thiếu trường bắt buộc{where}: {value}.": "Missing required fields{where}: {value}.",
    "Nội dung yêu cầu phải là một đối tượng JSON.": "The request body must be a JSON object.",
    "Trường '{key}' phải là chuỗi{value}.": "Field '{key}' must be a string{value}.",
    "Trường '{key}' chứa ký tự NUL (\\u0000), không được phép.":
        "Field '{key}' contains a NUL character (\\u0000), which is not allowed.",
    "Trường '{key}' phải là số nguyên từ {minimum} đến {max_int}.":
        "Field '{key}' must be an integer from {minimum} to {max_int}.",
    "Trường '{key}' phải là danh sách có ít nhất {min_items} phần tử.":
        "Field '{key}' must be a list of at least {min_items} items.",
    "'{key}' phải là một đối tượng JSON.": "'{key}' must be a JSON object.",
    '\'confirmed\' phải là danh sách chuỗi "<mã người được đề nghị>:<mã điều kiện>".':
        '\'confirmed\' must be a list of strings "<nominee id>:<condition code>".',
    "Tham số truy vấn không được để trống: {value}.": "Query parameters must not be empty: {value}.",
    "Tham số 'overdue' phải là true hoặc false.": "Parameter 'overdue' must be true or false.",
    "Tham số 'due_soon' phải là true hoặc false.": "Parameter 'due_soon' must be true or false.",
    "'outcome' phải là approve hoặc reject.": "'outcome' must be approve or reject.",
    "Chỉ quản trị viên mới tạo và sửa phong trào.": "Only administrators may create and edit campaigns.",
    "Không tìm thấy phong trào.": "Campaign not found.",
    "Không tìm thấy văn bản.": "Document not found.",
    "Không tìm thấy đơn vị.": "Unit not found.",
    "Không có đơn vị nào cần thông báo.": "No unit needs to be notified.",
    "Không có loại văn bản này.": "There is no such document type.",
    "Hồ sơ chưa có quy trình.": "The dossier has no process yet.",
    "Không tìm thấy đợt xét.": "Batch not found.",
    "Số phiếu và số thành viên phải là số nguyên không âm.": "Vote and member counts must be non-negative integers.",
    "Không tìm thấy đợt xét (các hồ sơ có thể đã được xử lý).":
        "Batch not found (its dossiers may already have been handled).",
    "Chỉ quản trị viên mới quản lý quy trình đang chạy.": "Only administrators may manage running processes.",
    "Người được giao không hợp lệ.": "The assignee is not valid.",
    "Chọn người được giao, hoặc trả việc về cho cả nhóm.":
        "Choose an assignee, or give the task back to the whole group.",
    "Chọn phiên bản nguồn và phiên bản đích.": "Choose the source and target versions.",
    "Ngày '{value}' không hợp lệ (dạng YYYY-MM-DD).": "Date '{value}' is not valid (use YYYY-MM-DD).",
    "Chỉ quản trị viên mới xem và quản lý quy trình.": "Only administrators may view and manage processes.",
    # operations/definitions.deploy_definition
    "Ghi chú phiên bản dài quá {limit} ký tự; hãy ghi ngắn gọn điều đã thay đổi.":
        "The version note is longer than {limit} characters; say briefly what changed.",
    "Hãy ghi chú ngắn phiên bản mới thay đổi gì (ví dụ: Bỏ cấp quận/huyện); chưa triển khai.":
        "Write a short note on what the new version changes (e.g. District level removed); nothing was deployed.",
    "Không triển khai: ngày {day} không còn đơn vị cấp {level_words} nào đang hoạt động, nhưng quy trình còn giao "
    "việc ở các làn {lanes}; hồ sơ mới sẽ dừng ở đó. Hãy bỏ các làn này (nối luồng sang cấp khác) rồi triển khai lại.":
        "Not deployed: on {day} no {level_words} level unit is open any more, but the process still gives work in "
        "lanes {lanes}; new dossiers would stop there. Remove these lanes (route their flows to another level) and "
        "deploy again.",
    "{role} cấp {level} ({lane})": "{role}, {level} level ({lane})",
}

# Words a refusal fills in from a fixed set (levels, what could not be done, a process's state, unmet conditions).
WORDS: dict[str, str] = {
    **LEVEL_WORDS_EN,
    "trả lại bổ sung": "return it for supplement", "không đồng ý": "reject it",
    "rút hồ sơ": "withdraw the dossier",
    "tạm dừng": "suspend it", "hủy": "cancel it", "đổi tên": "rename it", "chuyển đơn vị": "move it",
    "sáp nhập": "merge it",
    "không có đơn vị cấp trên": "no parent unit",
    "đang chạy": "is running", "đang tạm dừng": "is suspended", "đã kết thúc": "has ended", "đã hủy": "was cancelled",
    "bị lỗi": "has failed", "đã bị hủy": "was cancelled",
    "Chỉ tạm dừng được quy trình đang chạy": "Only a running process can be suspended",
    "Chỉ tiếp tục được quy trình đang tạm dừng": "Only a suspended process can be resumed",
    # The fields domain.field_limits names, and an imported row's text too long for its column.
    "Tiêu đề hồ sơ": "Dossier title", "Tên tập thể/cá nhân": "Name of the collective/individual",
    "Tên đơn vị": "Unit name",
    "Người ký": "Signer",
    "“{field}” dài {length} ký tự, tối đa {limit}": "“{field}” is {length} characters long, at most {limit}",
    # The eligibility problems (operations.tasks._require_eligible), each a phrase of its own.
    "{name} không đạt “{condition}” ({detail})": "{name} does not meet “{condition}” ({detail})",
    "chưa xác nhận “{condition}” cho {name}": "“{condition}” is not confirmed for {name}",
    # The eligibility conditions' descriptions and details built by code (domain.eligibility; the conditions the
    # campaign file describes keep the words the admin typed), and the rating words the records use.
    "Chưa được khen hình thức này trong năm": "Not already given this award form in the year",
    "đã được tặng hình thức này năm {year}": "already given this award form in {year}",
    "chưa có dữ liệu đăng ký": "no registration data yet",
    "đã đăng ký thi đua": "registered for the campaign",
    "chưa đăng ký thi đua": "not registered for the campaign",
    "người thẩm định xác nhận": "confirmed by the reviewer",
    "chưa có kết quả {code} năm {year}": "no {code} result for {year} yet",
    # a missing result of an index known by name (domain.eligibility.INDEXES), and those names
    "chưa có kết quả {code} ({index}) năm {year}": "no result of the {code} ({index}) for {year} yet",
    "Chỉ số cải cách hành chính": "Public Administration Reform Index",
    "Chỉ số hài lòng về sự phục vụ hành chính": "Satisfaction Index of Public Administrative Services",
    "Chỉ số chuyển đổi số": "Digital Transformation Index",
    "Chỉ số năng lực cạnh tranh cấp sở, ngành và địa phương": "Department and District Competitiveness Index",
    "{code} năm {year} chưa có thứ hạng": "{code} {year} has no rank yet",
    "{code} xếp hạng {rank} (cần ≤ {max_rank})": "{code} ranked {rank} (needs ≤ {max_rank})",
    "{code} năm {year} chưa xếp loại": "{code} {year} is not classified yet",
    "{code} xếp loại {classification} (cần từ {min_class})":
        "{code} classified {classification} (needs {min_class} or better)",
    "{code}: điều kiện không rõ": "{code}: unclear condition",
    "năm {years} dưới mức “{minimum}”": "rated below “{minimum}” in {years}",
    "chưa có đánh giá năm {years}": "no rating yet for {years}",
    "{years} năm liên tục từ “{minimum}” trở lên": "{years} consecutive years at “{minimum}” or better",
    "{parts}": "{parts}",  # several options' details together, each translated on its own
    "không hoàn thành nhiệm vụ": "did not complete duties", "hoàn thành nhiệm vụ": "completed duties",
    "hoàn thành tốt nhiệm vụ": "completed duties well", "hoàn thành xuất sắc nhiệm vụ": "completed duties excellently",
    # A quota rule's usage line (domain.quotas.RuleCheck.message): the rule's code and description as the campaign
    # file gives them, then used/allowed per subject type.
    "{code} — {description}: {lines}": "{code} — {description}: {lines}",
    "{label}: {used}/{high}{minimum}": "{label}: {used}/{high}{minimum}",
    " (tối thiểu {low})": " (at least {low})",
    # The auditor's filter values that cannot be read (queries.audit.read_filter).
    "“{label}” không phải một ngày (năm-tháng-ngày): “{raw}”.": "“{label}” is not a date (year-month-day): “{raw}”.",
    "“Từ ngày” ({date_from:%d/%m/%Y}) sau “Đến ngày” ({date_to:%d/%m/%Y}).":
        "“From” ({date_from:%d/%m/%Y}) is after “To” ({date_to:%d/%m/%Y}).",
    "Số hồ sơ phải là một số nguyên dương: “{raw}”.": "The dossier number must be a positive whole number: “{raw}”.",
    "Không có đơn vị mã “{raw}”.": "There is no unit with code “{raw}”.",
    "Không có tài khoản “{actor}”.": "There is no account “{actor}”.",
    "“{actor}” khớp hơn {limit} tài khoản; hãy ghi một phần dài hơn của tên.":
        "“{actor}” matches more than {limit} accounts; type a longer part of the name.",
    "Không có hành động “{action}” trong nhật ký.": "The trail has no action “{action}”.",
}

# Words a refusal fills in that were put together where it was raised (an f-string): each Vietnamese template, its
# placeholders matching any text, → English; what a placeholder matched is translated on its own (a level's words).
VALUE_PATTERNS: dict[str, str] = {
    "sáp nhập '{name}'": "merge '{name}'",  # operations.org_admin.merge_units → "Không thể {what}: …"
    "bãi bỏ cấp {level_words}": "abolish the {level_words} level",  # operations.org_admin.abolish_level
}

# The problems the process editor lists (workflows' parser and lint, the service's own conventions): Vietnamese
# text put together where found, read back by the same kind of patterns. tests/unit/test_english_of_built_texts.py
# scans workflows/ and operations/definitions.py for every problem's text and fails on one without English here.
PROBLEMS_EN: dict[str, str] = {
    # workflows/lint.py
    "quy trình không có bước người dùng (userTask) nào": "the process has no user task (userTask)",
    "quy trình cần một sự kiện bắt đầu thường (startEvent)": "the process needs a plain start event (startEvent)",
    "biến không xác định trong biểu thức hẹn giờ: {names} (thời hạn ghi theo ISO 8601, ví dụ P10D)":
        "unknown variables in the timer expression: {names} (write a duration in ISO 8601, e.g. P10D)",
    "luồng nối tới phần tử không tồn tại": "the flow connects to an element that does not exist",
    "điều kiện '{condition}': {reason}": "condition '{condition}': {reason}",
    "điều kiện dùng biến không xác định: {names}": "the condition uses unknown variables: {names}",
    "không cho phép bước mã lệnh (scriptTask): ai sửa được quy trình sẽ chạy được mã trên máy chủ":
        "script tasks (scriptTask) are not allowed: whoever could edit the process could run code on the server",
    "bước không rõ loại (bpmn:task) sẽ chặn quy trình như một bước người dùng; hãy đổi thành userTask":
        "a task of no type (bpmn:task) would block the process like a user task; change it to a userTask",
    "bước thủ công (manualTask) không có ai xử lý; hãy đổi thành userTask trong một làn":
        "nobody handles a manual task (manualTask); change it to a userTask in a lane",
    "chưa hỗ trợ bước gọi dịch vụ (serviceTask)": "service tasks (serviceTask) are not supported",
    "chưa hỗ trợ cổng theo sự kiện (eventBasedGateway)": "event-based gateways (eventBasedGateway) are not supported",
    "chưa hỗ trợ cổng bao hàm (inclusiveGateway); hãy dùng cổng loại trừ (exclusiveGateway)":
        "inclusive gateways (inclusiveGateway) are not supported; use an exclusive gateway (exclusiveGateway)",
    "chưa hỗ trợ loại phần tử '{tag}'": "element type '{tag}' is not supported",
    "bước người dùng không có luồng đi ra": "the user task has no outgoing flow",
    "bước người dùng cần có tên (hiện trong hộp việc)": "the user task needs a name (shown in the inbox)",
    "phần tử không có luồng đi vào, sẽ không bao giờ chạy tới": "the element has no incoming flow and is never reached",
    "phần tử không có luồng đi ra": "the element has no outgoing flow",
    "luồng ra từ cổng '{gateway}' thiếu điều kiện và không phải luồng mặc định":
        "a flow out of gateway '{gateway}' has no condition and is not the default flow",
    "điều kiện trùng với luồng '{other}' ({var} == '{value}')":
        "the condition repeats flow '{other}' ({var} == '{value}')",
    "luồng mặc định '{flow}' không đi ra từ cổng này": "default flow '{flow}' does not leave this gateway",
    "chưa hỗ trợ sự kiện loại '{kind}' ở {tag}": "event type '{kind}' is not supported on {tag}",
    "sự kiện chờ cần một định nghĩa hẹn giờ (timerEventDefinition)":
        "a catch event needs a timer definition (timerEventDefinition)",
    "chưa hỗ trợ hẹn giờ lặp (timeCycle); hãy dùng timeDuration hoặc timeDate":
        "repeating timers (timeCycle) are not supported; use timeDuration or timeDate",
    'hẹn giờ thiếu biểu thức thời gian (ví dụ "P10D")': 'the timer has no time expression (e.g. "P10D")',
    "biểu thức hẹn giờ '{expression}': {reason}": "timer expression '{expression}': {reason}",
    "'{value}' không phải thời điểm/khoảng thời gian ISO 8601 hợp lệ":
        "'{value}' is not a valid ISO 8601 date, time or duration",
    # workflows/lanes.py
    "bước này không nằm trong làn (lane) nào; mỗi bước phải thuộc một làn vai_trò@cấp":
        "this step is in no lane; every step must belong to a lane named role@level",
    "tên làn '{name}' phải có dạng vai_trò@cấp, ví dụ office_clerk@ward":
        "lane name '{name}' must read role@level, e.g. office_clerk@ward",
    "làn '{name}': vai trò '{role}' không được biết (hợp lệ: {known})":
        "lane '{name}': role '{role}' is not known (valid: {known})",
    "làn '{name}': cấp '{level}' không được biết (hợp lệ: {known})":
        "lane '{name}': level '{level}' is not known (valid: {known})",
    # workflows/expressions.py and workflows/timers.py
    "biểu thức rỗng": "empty expression",
    "biểu thức dài quá {limit} ký tự": "the expression is longer than {limit} characters",
    "biểu thức sai cú pháp: {detail}": "syntax error in the expression: {detail}",
    "cú pháp '{node}' không được phép trong biểu thức": "syntax '{node}' is not allowed in an expression",
    "không được truy cập thuộc tính '{attribute}'": "attribute '{attribute}' may not be used",
    "tên '{name}' không được phép": "name '{name}' is not allowed",
    "chỉ được gọi các hàm có sẵn: {functions}": "only the built-in functions may be called: {functions}",
    "không tính được biểu thức '{expression}': {detail}": "expression '{expression}' cannot be evaluated: {detail}",
    "lỗi khi tính biểu thức '{expression}': {detail}": "error evaluating expression '{expression}': {detail}",
    "quy trình không được chứa mã lệnh (script); hãy dùng biểu thức điều kiện":
        "a process must not contain scripts; use condition expressions",
    "quy trình không được gọi dịch vụ (service task)": "a process must not call services (service task)",
    "biểu thức hẹn giờ '{expression}' phải cho ra chuỗi ISO 8601, nhận được {value}":
        "timer expression '{expression}' must give an ISO 8601 string, got {value}",
    "'{value}' không phải khoảng thời gian ISO 8601 (ví dụ \"P10D\")":
        "'{value}' is not an ISO 8601 duration (e.g. \"P10D\")",
    # workflows/definitions.py
    "tệp BPMN lớn quá {limit} MB": "the BPMN file is larger than {limit} MB",
    "XML không đọc được: {detail}": "the XML cannot be read: {detail}",
    "tệp BPMN không được chứa DOCTYPE/ENTITY": "a BPMN file must not contain DOCTYPE/ENTITY",
    "cần đúng một quy trình thực thi được, tìm thấy: {found}":
        "exactly one executable process is needed; found: {found}",
    "tệp không có quy trình (bpmn:process) nào; hãy vẽ một bể (pool) với các bước của quy trình":
        "the file has no process (bpmn:process); draw a pool with the process's steps",
    "tệp có {count} quy trình thực thi được ({found}), hệ thống chỉ chạy một: hãy giữ một bể (pool), hoặc chỉ đánh "
    "dấu một quy trình là thực thi được (isExecutable) và bỏ đánh dấu ở các bể khác":
        "the file has {count} executable processes ({found}) and the system runs only one: keep one pool, or mark "
        "only one process as executable (isExecutable) and unmark the other pools",
    "không có": "none",
    "không đúng lược đồ BPMN 2.0: {detail}": "does not follow the BPMN 2.0 schema: {detail}",
    # service/operations/definitions.py
    "sự kiện kết thúc phải có mã bắt đầu bằng end_granted, end_rejected hoặc end_withdrawn":
        "an end event's id must start with end_granted, end_rejected or end_withdrawn",
    "bước '{step}' có quyết định '{decision}' không thuộc danh mục quyết định của hệ thống ({known}); hãy dùng một "
    "trong các quyết định này":
        "step '{step}' offers decision '{decision}', which is not one of the system's decisions ({known}); use one of "
        "these",
    "làn '{lane}' ở cấp {level}: không còn đơn vị cấp này nào đang hoạt động ngày {day}":
        "lane '{lane}' is at {level} level: no unit of that level is open on {day}",
    **LEVEL_WORDS_EN,  # a level's words in a problem above ("quận/huyện")
}


def refusal(exc: DomainError) -> str:
    """The refusal as the page's reader reads it: English in the English locale where its template has English,
    else the Vietnamese message."""
    return refusal_in(exc, current_locale())


def refusal_in(exc: DomainError, locale: str) -> str:
    if locale != "en":
        return exc.message
    template = getattr(exc, "template", exc.message)
    english = EN.get(template) or WORDS.get(template)
    if english is None:
        return exc.message
    try:
        return english.format_map(_english_values(getattr(exc, "values", {})))
    except (KeyError, IndexError, ValueError):  # an English entry out of step with its template: say it in Vietnamese
        return exc.message


def phrase(text: str) -> str:
    """A message that is no refusal (service.errors.Phrase: an import's row error) as the page's reader reads it."""
    return str(_english_value(text)) if current_locale() == "en" else str(text)


def built(text: object) -> str:
    """A text the code put together (a Phrase, or a Listed of them: a quota's usage line, an eligibility detail) as
    the page's reader reads it; any other text — what an admin typed into the campaign file, a name — as it is."""
    if current_locale() == "en" and isinstance(text, Phrase | Listed):
        return str(_english_value(text))
    return str(text)


def problem_in(message: str, locale: str) -> str:
    """A BPMN problem's text (the process editor's list) in `locale`: English where PROBLEMS_EN reads it."""
    if locale != "en":
        return message
    return _by_pattern(message, _PROBLEM_PATTERNS, _problem_value) or message


def _problem_value(text: str) -> str:
    return _by_pattern(text, _PROBLEM_PATTERNS, _problem_value) or text


def _english_values(values: Mapping[str, object]) -> dict[str, object]:
    return {key: _english_value(value) for key, value in values.items()}


def _english_value(value: object) -> object:
    if isinstance(value, Listed):
        return Listed((str(_english_value(part)) for part in value), value.sep)
    if isinstance(value, Phrase):
        english = EN.get(value.template) or WORDS.get(value.template)
        return english.format_map(_english_values(value.values)) if english else value
    if isinstance(value, str):
        return WORDS.get(value) or UI_EN.get(value) or _by_pattern(value, _VALUE_PATTERNS, _plain_word) or value
    return value


def _plain_word(text: str) -> str:
    return str(_english_value(text))


def _compiled(table: Mapping[str, str]) -> list[tuple[re.Pattern[str], str]]:
    """Each Vietnamese template as a regular expression (a placeholder matches any text), the longest literal text
    first: a specific template wins over a general one."""
    out = []
    for template, english in table.items():
        pattern, literal = "", 0
        for text, name, _spec, _conv in Formatter().parse(template):
            pattern += re.escape(text)
            literal += len(text)
            if name is not None:
                pattern += f"(?P<{name}>.*?)"
        out.append((literal, re.compile(pattern + r"\Z", re.S), english))
    return [(compiled, english) for _, compiled, english in sorted(out, key=lambda item: -item[0])]


def _by_pattern(text: str, patterns: list[tuple[re.Pattern[str], str]],
                translate_value: Callable[[str], str]) -> str | None:  # fmt: skip
    for compiled, english in patterns:
        found = compiled.match(text)
        if found:
            return english.format_map({k: translate_value(v) for k, v in found.groupdict().items()})
    return None


_VALUE_PATTERNS = _compiled(VALUE_PATTERNS)
_PROBLEM_PATTERNS = _compiled(PROBLEMS_EN)
