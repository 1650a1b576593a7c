"""UI strings: Vietnamese is the source language; English is the second locale, chosen per session."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, request, session

from ..domain.audit_labels import audit_action_label, audit_object_type_label, detail_key_label
from ..domain.text import in_sentence
from .modeler_catalogue import MODELER_VI
from .step_words_en import DECIDED_EN, DIAGRAM_NAMES, STEP_WORDS_EN

VN = ZoneInfo("Asia/Ho_Chi_Minh")

LOCALES = ("vi", "en")

# Source string (Vietnamese) → English. Missing entries fall back to Vietnamese.
EN: dict[str, str] = {
    "Thi đua – Khen thưởng": "Emulation & Commendation",
    "Đăng nhập": "Sign in",
    "Đăng xuất": "Sign out",
    "Tên đăng nhập": "Username",
    "Mật khẩu": "Password",
    "Sai tên đăng nhập hoặc mật khẩu.": "Wrong username or password.",
    "Hãy đăng nhập để tiếp tục.": "Sign in to continue.",
    "Bạn không có quyền truy cập trang này.": "You may not open this page.",
    "Không tìm thấy trang hoặc hồ sơ này.": "This page or dossier was not found.",
    "Thao tác không được hỗ trợ.": "This action is not supported.",
    "Dữ liệu vừa được người khác thay đổi; hãy tải lại trang.": "Someone else has just changed this data; reload the page.",
    # the error pages (service/web/errors.py, the CSRF check of service/web/csrf.py)
    "Đã có lỗi ngoài dự kiến; không có thay đổi nào được ghi. Mã lỗi: {request_id}":
        "Something unexpected went wrong; nothing was changed. Error reference: {request_id}",
    "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang.":
        "Your session has expired or the form is not valid. Reload the page.",
    "Hộp việc": "Inbox",
    "Không có việc nào cần xử lý.": "Nothing to do.",
    "Bước": "Step",
    "Hồ sơ": "Dossier",
    "Đơn vị nộp": "Submitting unit",
    "Phong trào": "Campaign",
    "Hạn xử lý": "Due",
    "Quá hạn": "Overdue",
    # a council's or chairman's row: the campaign's deadline for reaching the next level (queries.inbox.forward_by)
    "Gửi về {level} chậm nhất ngày {date}": "To reach the {level} level by {date}",
    "hạn gửi về {level}": "deadline to reach the {level} level",
    "Đã quá hạn": "Deadline passed",
    "Được báo quá hạn": "Escalated to you",
    "Xử lý": "Open",
    "Quyết định": "Decision",
    "Ý kiến / lý do": "Comment / reason",
    "Ghi nhận": "Record",
    "Nhận xử lý": "Claim",
    "Trả lại cho nhóm": "Release",
    "Đường đi của hồ sơ": "Path taken",
    "Lịch sử": "History",
    "Người được đề nghị": "Nominees",
    "Trạng thái": "Status",
    "Lập hồ sơ mới": "New dossier",
    "Tiêu đề": "Title",
    "Tạo hồ sơ": "Create dossier",
    "Đã ghi nhận.": "Recorded.",
    "Hồ sơ của đơn vị": "Unit dossiers",
    "Đang chờ": "Waiting at",
    "Lọc": "Filter",
    "Lưu bộ lọc": "Save filter",
    "Đã lưu bộ lọc.": "Filter saved.",
    "Tất cả": "All",
    "Chỉ việc quá hạn": "Overdue only",
    "Chỉ việc sắp đến hạn (3 ngày tới)": "Due soon only (next 3 days)",
    "Đồng ý các việc đã chọn": "Approve selected",
    "Ý kiến chung": "Common comment",
    "Kết quả xử lý hàng loạt": "Bulk result",
    "Giao cho đồng nghiệp": "Assign to colleague",
    "Giao việc": "Assign",
    "Đã giao việc.": "Assigned.",
    "Đang hiển thị": "Showing",
    "những việc đến hạn sớm nhất; dùng bộ lọc để xem các việc khác": "the ones due soonest; use the filter to see the others",
    "những việc đầu tiên theo thứ tự đã chọn; dùng bộ lọc để xem các việc khác":
        "the first ones in the order chosen; use the filter to see the others",
    "trên": "of",
    "Nhật ký kiểm toán": "Audit trail",
    "Từ ngày": "From",
    "Đến ngày": "To",
    "Tài khoản": "Account",
    "Mã đơn vị": "Unit code",
    "Hồ sơ số": "Dossier no.",
    "Hành động": "Action",
    "Tải CSV": "Download CSV",
    # The accounts the audit page's account filter covers (templates/audit/index.html).
    "tên đăng nhập hoặc một phần tên": "username or a part of a name",
    "Tài khoản: {name} (đúng tên đăng nhập).": "Account: {name} (the exact username).",
    "Không gồm các tài khoản khác có tên chứa “{part}”: {names}":
        "Not the other accounts whose names contain “{part}”: {names}",
    "Tài khoản khớp: {names}": "Matching accounts: {names}",
    "và {count} tài khoản khác": "and {count} more accounts",
    "Thời điểm": "Time",
    "Người thực hiện": "Actor",
    "Đối tượng": "Object",
    "Chi tiết": "Details",
    "Hệ thống": "System",
    "Trang sau": "Next page",
    "Đã tải tài liệu lên.": "Document uploaded.",
    "Đã lưu trích ngang.": "Summary saved.",
    "Đã nộp hồ sơ.": "Dossier submitted.",
    "Tài liệu": "Documents",
    "Còn thiếu": "Still missing",
    "Hồ sơ đã đủ tài liệu.": "All required documents are in.",
    "Tải lên": "Upload",
    "Nộp hồ sơ": "Submit dossier",
    "Thêm người được đề nghị": "Add nominee",
    "Lý do trả lại": "Reason for return",
    "Lưu trích ngang": "Save summary",
    "Xóa": "Remove",
    "Chỉ tiêu khen thưởng": "Award quotas (used/allowed, if approved)",
    "Quyết định từng người được đề nghị": "Decision per nominee",
    "Tổng số thành viên Hội đồng": "Council members",
    "Số thành viên có mặt": "Members present",
    "Phiếu đồng ý": "Votes for",
    "Phiếu không đồng ý": "Votes against",
    "Kết quả họp Hội đồng Thi đua - Khen thưởng": "Result of the Emulation & Commendation Council meeting",
    "Thông qua": "Passed",
    "Không thông qua": "Not passed",
    "Có mặt / tổng số thành viên": "Present / council members",
    "Đồng ý": "Approve",
    "Quy trình BPMN": "BPMN processes",
    "Phiên bản": "Version",
    "Triển khai lúc": "Deployed at",
    "Người triển khai": "Deployed by",
    "Ghi chú": "Comment",
    "Hồ sơ đang chạy": "Running dossiers",
    "đang dùng": "active",
    "Xem": "View",
    "So với phiên bản": "Compare with version",
    "So sánh": "Compare",
    "Bỏ": "Removed",
    "Thay đổi": "Changed",
    "Người dùng và vai trò": "Users and roles",
    "Họ và tên": "Full name",
    "Tạo người dùng": "Create user",
    "Vai trò": "Roles",
    "đã khóa": "locked",
    "Thu hồi": "Revoke",
    "Khóa": "Lock",
    "Mở khóa": "Unlock",
    "Đã khóa tài khoản {user}.": "Account {user} locked.",
    "Đã mở khóa tài khoản {user}.": "Account {user} unlocked.",
    "Quản trị": "Admin",
    "Đã tạo người dùng.": "User created.",
    # passwords: the user's own change (service/web/account.py) and an admin's reset (templates/admin/users.html)
    "Đổi mật khẩu": "Change password",
    "Đặt lại mật khẩu": "Reset password",
    "Mật khẩu hiện tại": "Current password",
    "Mật khẩu mới": "New password",
    "Nhập lại mật khẩu mới": "Repeat the new password",
    "Ít nhất {minimum} ký tự, khác tên đăng nhập và khác mật khẩu hiện tại.":
        "At least {minimum} characters, not the username and not the current password.",
    "Quản trị viên vừa đặt lại mật khẩu của bạn; hãy đặt mật khẩu mới.":
        "An administrator has just reset your password; choose a new one.",
    "Đã đổi mật khẩu.": "Password changed.",
    "phải đổi mật khẩu": "must change password",
    "Mật khẩu tạm thời": "Temporary password",
    "Nhập lại mật khẩu tạm thời": "Repeat the temporary password",
    "Đặt lại mật khẩu cho {user}": "Reset the password of {user}",
    "Người này phải đặt mật khẩu mới khi đăng nhập; khóa hay mở khóa tài khoản không đổi.":
        "They must choose a new password when they next sign in; a locked account stays locked, an open one open.",
    "Đã đặt lại mật khẩu của {user}; người này phải đổi mật khẩu khi đăng nhập.":
        "Password of {user} reset; they must change it when they sign in.",
    "Sau khi được đặt lại": "After a reset",
    "Mã truy cập API bị thu hồi": "API tokens revoked",
    "Phải đổi mật khẩu": "Must change password",
    "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.": "Too many failed sign-ins; try again in a few minutes.",
    "Nhật ký của hồ sơ": "Dossier audit timeline",
    "đang do": "held by",
    "xử lý": "",
    "Nhập tay một dòng": "Enter one record",
    "Thêm": "Add",
    "Đã thêm.": "Added.",
    "in lên phôi": "print on blank",
    "Đang tạo giấy khen": "Making the certificates",
    "In tất cả giấy khen của quyết định": "Print all certificates of the decision",
    "tải về": "download",
    "Bố cục phôi giấy khen": "Certificate blank layout",
    "Đã lưu bố cục phôi.": "Blank layout saved.",
    "Xem thử": "Preview",
    "Danh sách (Excel)": "Nominee list (Excel)",
    "Đã nhập danh sách.": "List imported.",
    "Văn bản đã tạo": "Generated documents",
    "Tải về": "Download",
    # A decision's PDFs as the campaign and dossier pages name them (templates/_macros/documents.html).
    "Quyết định số": "Decision no.",
    "Bằng khen": "Certificate of Merit",
    "Giấy khen": "Certificate of Commendation",
    "Tạo tờ trình của đơn vị": "Create the unit's proposal letter",
    "Lập lại tờ trình (thay bản nháp trước)": "Draw up the proposal letter again (replaces the previous draft)",
    "Tờ trình lên cấp trên của": "Proposal upward of",
    "Báo cáo tổng kết (PDF)": "Summary report (PDF)",
    "Thông báo cho đơn vị không được khen": "Notices to units not awarded",
    "Quyết định khen thưởng": "Award decisions",
    "Người ký": "Signer",
    "Ra quyết định khen thưởng của": "Issue the award decision of",
    "Đã ra quyết định số": "Decision issued, number",
    "in": "print",
    "Đang tải sơ đồ quy trình…": "Loading the process diagram…",
    "Không hiển thị được sơ đồ": "Could not draw the diagram",
    "Tổng quan": "Dashboard",
    "Hồ sơ theo đơn vị": "Dossiers by unit",
    "Đơn vị": "Unit",
    "Người được khen": "Nominees awarded",
    "Việc quá hạn": "Overdue tasks",
    "Người được đề nghị theo kết quả": "Nominees by outcome",
    "Xét theo đợt": "Batches",
    "hồ sơ": "dossiers",
    "người được đề nghị": "nominees",
    "Ghi nhận cả đợt": "Record the whole batch",
    "Áp dụng số phiếu cho tất cả": "Apply these votes to everyone",
    "(cho người được đề nghị chưa ghi số phiếu riêng)": "(to each nominee whose own vote boxes are empty)",
    "Bị trả lại": "Returned",
    # the inbox (templates/inbox/index.html): sorting, the saved filter said, returned rows, counts in words
    "Sắp xếp theo": "Sort by",
    "Ngày đến (cũ nhất trước)": "Arrival (oldest first)",
    "Đang dùng bộ lọc đã lưu:": "Using your saved filter:",
    "Bỏ lọc": "Clear filter",
    "Đã bỏ bộ lọc đã lưu.": "Saved filter cleared.",
    "Các đợt tính mọi việc đang mở của bạn, không theo bộ lọc.":
        "Batches count every open task of yours, whatever the filter.",
    "từ bước “{step}”": "from the step “{step}”",
    "1 hồ sơ": "1 dossier",
    "{n} hồ sơ": "{n} dossiers",
    "1 người được đề nghị": "1 nominee",
    "{n} người được đề nghị": "{n} nominees",
    "1 người": "1 nominee",
    "{n} người": "{n} nominees",
    "BK": "Merit",  # Bằng khen, shortened on an inbox row ("BK tỉnh/thành phố")
    "GK": "Commendation",  # Giấy khen
    "Lý do trả lại — {title}": "Reason for the return — {title}",
    "Danh sách tổng hợp": "Consolidated list",
    "Hồ sơ theo dõi": "Records",
    "Tên": "Name",
    "Loại dữ liệu": "Kind",
    "Khen thưởng đã có": "Past awards",
    "Xếp loại cán bộ hằng năm": "Yearly ratings",
    "Kết quả chỉ số": "Index results",
    "Tệp Excel (.xlsx), dòng đầu là tên cột": "Excel file (.xlsx), first row = headers",
    "Nhập": "Import",
    "Đã nhập": "Imported",
    "dòng.": "rows.",
    "Không nhập được tệp": "File not imported",
    "Điều kiện khen thưởng": "Eligibility",
    "Đạt": "Met",
    "Không đạt": "Not met",
    "Đã kiểm tra, đạt": "Checked, met",
    "Phong trào thi đua": "Campaigns",
    "Tạo phong trào mới": "New campaign",
    # the campaign editor: create, save changes, or save as a new campaign (service/web/campaigns.py)
    "Đã tạo phong trào mới {code}.": "New campaign {code} created.",
    "Đã lưu thay đổi của phong trào {code}.": "Changes to campaign {code} saved.",
    "Đã lưu thành phong trào mới {code}; phong trào {old} giữ nguyên.":
        "Saved as new campaign {code}; campaign {old} is unchanged.",
    "Mã phong trào (code) không đổi được khi sửa. Muốn tạo một phong trào khác từ tệp này, hãy đổi mã rồi chọn «Lưu thành phong trào mới».":
        "A campaign's code cannot change when it is edited. To make another campaign from this file, change the code and choose “Save as a new campaign”.",
    "Mã phong trào (code) phải chưa có; muốn sửa một phong trào đã có, hãy mở nó từ danh sách phong trào.":
        "The campaign code must be new; to edit an existing campaign, open it from the list of campaigns.",
    "Nội dung tệp phong trào": "Campaign file",
    "Hoặc tải lên tệp YAML/JSON (thay cho nội dung ở trên)": "Or upload a YAML/JSON file (instead of the text above)",
    "Lưu thay đổi": "Save changes",
    "Lưu thành phong trào mới": "Save as a new campaign",
    "Tạo phong trào": "Create campaign",
    "Sửa phong trào": "Edit campaign",
    "Mã": "Code",
    "Năm": "Year",
    "Đơn vị phát động": "Issued by",
    "Chủ đề": "Theme",
    "Hạn nhận hồ sơ": "Deadlines",
    "Thời gian nhận": "Receipt window",
    "Phải đăng ký thi đua": "Registration required",
    "Hội đồng": "Council",
    "Tải tệp YAML": "Download YAML",
    "Sửa": "Edit",
    "Hình thức khen thưởng": "Award forms",
    "Quy định": "Rules",
    "Đơn vị đã đăng ký thi đua": "Registered units",
    "Đăng ký thi đua cho": "Register",
    "Đã đăng ký thi đua.": "Registered.",
    "Đã lưu phong trào.": "Campaign saved.",
    "Lưu": "Save",
    "Không đồng ý": "Reject",
    # --- instance admin (service/web/instances.py, templates/instances/) ---
    "Quy trình đang chạy": "Running instances",
    "Quy trình": "Instance",
    "Phiên bản quy trình": "Process version",
    "Bị tắc: việc mở quá (ngày), hoặc quá hạn": "Stuck: task open longer than (days), or overdue",
    "Việc đang mở": "Open tasks",
    "Mở từ": "Open since",
    "Không có quy trình nào.": "No instances.",
    "Đang chạy": "Running",
    "Tạm dừng": "Suspend",
    "Đang tạm dừng": "Suspended",
    "Đã kết thúc": "Finished",
    "Đã hủy": "Cancelled",
    "Lỗi": "Error",
    "Hẹn giờ kế tiếp": "Next timer",
    "Tạm dừng bởi": "Suspended by",
    "Lý do tạm dừng": "Reason for suspending",
    "Ghi chú (không bắt buộc)": "Note (optional)",
    "Cho chạy tiếp": "Resume",
    "Lý do hủy": "Reason for cancelling",
    "Hủy quy trình": "Cancel instance",
    "Người xử lý": "Assignee",
    "Giao lại": "Reassign",
    "Cả nhóm": "Whole group",
    "Trả về cho cả nhóm": "Back to the group",
    "Không có việc nào đang mở.": "No open tasks.",
    "Vị trí hiện tại": "Current position",
    "Đã tạm dừng quy trình.": "Instance suspended.",
    "Quy trình đã chạy tiếp.": "Instance resumed.",
    "Đã hủy quy trình.": "Instance cancelled.",
    "Đã giao lại việc.": "Task reassigned.",
    "Quy trình của hồ sơ đang tạm dừng; chưa ai xử lý được việc của hồ sơ cho đến khi quản trị viên cho chạy tiếp.":
        "This dossier's process is suspended; nobody can act on its tasks until an admin resumes it.",
    "Chuyển hồ sơ sang phiên bản quy trình khác": "Move dossiers to another process version",
    "Từ phiên bản": "From version",
    "Sang phiên bản": "To version",
    "Xem trước (không thay đổi gì)": "Dry run (changes nothing)",
    "Xem trước": "Dry run",
    "Kết quả chuyển": "Migration result",
    "Chuyển được?": "Can move?",
    "Được": "Yes",
    "Không": "No",
    "Lý do": "Reason",
    "Đã chuyển": "Moved",
    "Không có hồ sơ đang chạy nào ở phiên bản này.": "No running dossiers on this version.",
    "Chuyển các hồ sơ chuyển được": "Move the dossiers that can move",
    "Đã chuyển hồ sơ sang phiên bản mới:": "Dossiers moved to the new version:",
    "Hồ sơ đang tạm dừng không được chuyển": "Suspended dossiers are not moved",
    "Chuyển phiên bản chạy lại bộ máy quy trình trên trạng thái của hồ sơ (có thể mở việc mới, xử lý hẹn giờ đến hạn); một quy trình đang tạm dừng không được chạy. Hãy cho chạy tiếp rồi chuyển, hoặc để nó ở phiên bản cũ.":
        "Migrating runs the engine over the dossier's state (it may open tasks or fire due timers); a suspended "
        "instance must not run. Resume it and then migrate, or leave it on the old version.",
    "Chuyển {count} hồ sơ từ {source} sang {target}? Bộ máy quy trình sẽ chạy lại trên trạng thái của từng hồ sơ.":
        "Move {count} dossiers from {source} to {target}? The process engine will run again over each dossier's state.",
    # --- end instance admin ---
    # --- notifications ---
    "Thông báo": "Notifications",
    "Đánh dấu tất cả đã đọc": "Mark all read",
    "Đánh dấu đã đọc": "Mark read",
    "Chưa có thông báo nào.": "No notifications yet.",
    "Mở việc": "Open task",
    "Chưa đọc": "Unread",
    "Không còn thông báo cũ hơn.": "No older notifications.",
    "Không có thông báo chưa đọc.": "No unread notifications.",
    "Còn thông báo cũ hơn những thông báo trên.": "There are notifications older than these.",
    "Cũ hơn": "Older",
    "Mới nhất": "Newest",
    "{count} hồ sơ quá hạn: {step}": "{count} dossiers overdue: {step}",
    "{count} hồ sơ sắp đến hạn gửi lên cấp trên: {step}": "{count} dossiers near their deadline to be sent up: {step}",
    "{count} việc mới: {step}": "{count} new tasks: {step}",
    "{count} hồ sơ bị trả lại để bổ sung; việc của bạn: {step}":
        "{count} dossiers returned for supplement; your task: {step}",
    "{count} hồ sơ của đơn vị bị trả lại để bổ sung: {step}":
        "{count} of the unit's dossiers returned for supplement: {step}",
    "{count} việc được giao cho bạn: {step}": "{count} tasks assigned to you: {step}",
    "{count} thông báo: {step}": "{count} notifications: {step}",
    "và 1 đơn vị khác": "and 1 other unit",
    "và {n} đơn vị khác": "and {n} other units",
    "{count} chưa đọc": "{count} unread",
    "{count} đã xử lý": "{count} handled",
    # --- end notifications ---
    # --- org unit tree over time ---
    "Cây đơn vị": "Unit tree",
    "Theo ngày": "As of",
    "Cấp": "Level",
    "Hiệu lực từ": "Valid from",
    "Hạn gửi về": "Deadline to reach",
    "Người được nhắc": "Officials reminded",
    "Hiệu lực đến": "Valid to",
    "nay là": "now",
    "Đơn vị đã ngừng": "Closed units",
    "đến": "until",
    "Tạo đơn vị": "Create unit",
    "Đơn vị cha": "Parent unit",
    "Bãi bỏ một cấp": "Abolish a level",
    "Ngày hiệu lực": "Effective date",
    "Tên cũ": "Former names",
    "Vai trò tại đơn vị": "Roles held at this unit",
    "Đổi tên": "Rename",
    "Tên mới": "New name",
    "Chuyển sang đơn vị cha khác": "Move under another parent",
    "Chuyển": "Move",
    "Sáp nhập vào đơn vị khác": "Merge into another unit",
    "Sáp nhập đơn vị": "Merge unit",
    "Đơn vị nhận": "Receiving unit",
    "Vai trò của người dùng": "Users' roles",
    "chuyển sang đơn vị nhận": "move to the receiving unit",
    "chấm dứt": "end",
    "Thao tác này ảnh hưởng": "This will affect",
    # the merge and abolish previews (templates/org/preview.html)
    "Sáp nhập {source} vào {target} từ ngày {day}.": "Merge {source} into {target} from {day}.",
    "Các đơn vị con chuyển sang {target}; vai trò của người dùng tại {source}:":
        "Its sub-units move to {target}; the users' roles at {source}:",
    "Sáp nhập {source} vào {target} từ ngày {day}? {source} sẽ ngừng hoạt động; không hoàn tác được từ trang này.":
        "Merge {source} into {target} from {day}? {source} will close; this cannot be undone from this page.",
    "Bãi bỏ cấp {level} từ ngày {day}.": "Abolish the {level} level from {day}.",
    "Bãi bỏ cấp {level} từ ngày {day}? {units} đơn vị sẽ ngừng hoạt động và {roles} vai trò chấm dứt; không hoàn tác được từ trang này.":
        "Abolish the {level} level from {day}? {units} units will close and {roles} roles will end; this cannot be undone from this page.",
    "Hồ sơ đang xử lý theo quy trình có bước ở cấp {level}: sau khi bãi bỏ, hồ sơ vẫn được xử lý tiếp ở cấp trên, nhưng mọi thao tác trả lại về cấp {level} sẽ bị từ chối (không còn đơn vị cấp đó để nhận). Nên xử lý xong các hồ sơ này trước nếu có thể:":
        "Dossiers in process on a process with steps at {level} level: after the abolition they still go on above, but any return to the {level} level will be refused (no unit of that level is left to receive it). Finish these dossiers first if you can:",
    "Ngày hiệu lực {day} sớm hơn việc đã xử lý tại các đơn vị này (lần cuối):":
        "The effective date {day} is earlier than work done at these units (last done):",
    "Hãy kiểm tra lại ngày hiệu lực.": "Check the effective date again.",
    "Quy trình hồ sơ mới đang dùng vẫn có bước ở cấp {level}: {versions}. Sau khi bãi bỏ, hồ sơ đề nghị khen từ cấp này trở lên sẽ bị từ chối khi lập; hãy triển khai phiên bản quy trình không có cấp này.":
        "The process new dossiers use still has steps at {level} level: {versions}. After the abolition, dossiers asking for an award from this level up will be refused when made; deploy a process version without this level.",
    "Có {n} hồ sơ sẽ không trả lại về cấp này được nữa.": "{n} dossiers can no longer be returned to this level.",
    "đơn vị": "units",
    "đơn vị con được chuyển": "child units moved",
    "vai trò của người dùng": "role assignments",
    "hồ sơ đang xử lý": "running dossiers",
    "Không thể áp dụng khi còn hồ sơ đang xử lý; hãy hoàn tất hoặc chuyển các hồ sơ này trước:":
        "Cannot apply while dossiers are running; finish or reassign these dossiers first:",
    "Áp dụng": "Apply",
    "Quay lại": "Back",
    "Đã tạo đơn vị.": "Unit created.",
    "Đã đổi tên đơn vị.": "Unit renamed.",
    "Đã chuyển đơn vị.": "Unit moved.",
    "Đã sáp nhập đơn vị.": "Unit merged.",
    "Đã bãi bỏ cấp.": "Level abolished.",
    # --- end org unit tree over time ---
    # --- process editor (modeler) ---
    "Vẽ quy trình mới": "Draw a new process",
    "Sửa quy trình, từ phiên bản": "Edit the process, from version",
    "Quy trình mới": "New process",
    "Ghi chú phiên bản": "Version comment",
    "Kiểm tra và triển khai": "Validate and deploy",
    "Chưa có nội dung BPMN.": "No BPMN content.",
    # opening a BPMN file drawn in another tool (service/static/modeler-page.js gets these as data-* attributes)
    "Mở tệp BPMN…": "Open BPMN file…",
    "hoặc kéo thả tệp .bpmn/.xml vào khung vẽ. Sơ đồ trong tệp thay sơ đồ đang sửa; chỉ được lưu khi bấm «Kiểm tra và triển khai».":
        "or drop a .bpmn/.xml file on the canvas. The file's diagram replaces the one being edited; it is saved only "
        "with “Validate and deploy”.",
    "Đang đọc tệp {name}…": "Reading {name}…",
    "Đã mở tệp {name}. Hãy kiểm tra rồi triển khai.": "Opened {name}. Validate and deploy it when it is ready.",
    "Đã mở tệp {name}, với {count} cảnh báo (phần có cảnh báo có thể không hiện trên sơ đồ):":
        "Opened {name}, with {count} warnings (the parts they concern may be missing from the diagram):",
    "Không mở được tệp {name}: tệp không phải là sơ đồ BPMN đọc được. Sơ đồ đang sửa được giữ nguyên. Chi tiết: {error}":
        "Could not open {name}: it is not a readable BPMN diagram. The diagram being edited is kept. Details: {error}",
    "Chỉ mở được tệp .bpmn hoặc .xml; {name} không phải. Sơ đồ đang sửa được giữ nguyên.":
        "Only .bpmn or .xml files can be opened; {name} is neither. The diagram being edited is kept.",
    # --- end process editor ---
    # --- task page: documents, the task once handled, what a completion recorded ---
    "Mở trang hồ sơ": "Open the dossier page",
    "Hồ sơ chưa có tài liệu nào.": "The dossier has no documents yet.",
    "Việc này đã được xử lý.": "This task has already been handled.",
    "Người đã xử lý": "Handled by",
    "Việc này đã đóng mà không có quyết định: quy trình của hồ sơ đã bị hủy, hoặc việc đã được chuyển sang bước khác.":
        "This task was closed without a decision: the dossier's process was cancelled, or the task moved on to another step.",
    "Xem hồ sơ": "Open the dossier",
    "Đã ghi nhận: {decision}.": "Recorded: {decision}.",
    # decision labels of the shipped processes (bpmn/*.bpmn flow names; "Đạt", "Thông qua", "Đồng ý", "Không đạt",
    # "Không thông qua", "Nộp hồ sơ", "Rút hồ sơ" have their entries above), shown through choice_label()
    "Trả lại bổ sung": "Return for supplement",
    "Trả lại thẩm định": "Return to appraisal",
    "Trả lại Hội đồng": "Return to the council",
    "Không khen thưởng": "No commendation",
    "Hình thức do cấp này tặng": "Award given at this level",
    "Trình cấp trên": "Submit to the higher level",
    "Đã ghi nhận": "Recorded",
    "Không đề nghị khen thưởng": "Not proposed for commendation",
    "Không người được đề nghị nào đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu ({percent}% số thành viên có mặt), nên hồ sơ "
    "không được thông qua dù bạn đã chọn “{chosen}”.":
        "No nominee reached the share of votes the council requires ({percent}% of the members present), so the "
        "dossier was not passed although you chose “{chosen}”.",
    "Quyết định được ghi khác với lựa chọn “{chosen}” của bạn.": "The decision recorded differs from your choice “{chosen}”.",
    "Trạng thái hồ sơ: {status}.": "Dossier status: {status}.",
    # --- end task page ---
    # --- auditor's filter ---
    "Chưa lọc: hãy sửa điều kiện lọc.": "Not filtered: please correct the filter.",
    "tên đăng nhập": "username",
    # --- end auditor's filter ---
    # --- audit actions as the dossier page's timeline names them (service/domain/audit_labels.py) ---
    "Đăng nhập không thành công": "Failed sign-in",
    "Tạm khóa đăng nhập": "Sign-in locked",
    "Tạo tài khoản": "Create account",
    "Mở khóa tài khoản": "Unlock account",
    "Khóa tài khoản": "Lock account",
    "Giao vai trò": "Grant role",
    "Thu hồi vai trò": "Revoke role",
    "Kết thúc vai trò": "End role",
    "Đổi tên đơn vị": "Rename unit",
    "Chuyển đơn vị": "Move unit",
    "Bãi bỏ cấp hành chính": "Abolish a level",
    "Nhập phong trào thi đua": "Import campaign",
    "Sửa phong trào thi đua": "Edit campaign",
    "Đăng ký tham gia phong trào thi đua": "Register for campaign",
    "Triển khai quy trình": "Deploy process",
    "Lập hồ sơ": "Create dossier",
    "Sửa hồ sơ": "Edit dossier",
    "Đổi trạng thái hồ sơ": "Dossier status change",
    "Tải tài liệu lên": "Upload document",
    "Tải tài liệu về": "Download document",
    "Tạo văn bản": "Generate document",
    "Giao lại việc": "Reassign task",
    "Xử lý xong một bước": "Complete step",
    "Báo quá hạn lên cấp trên": "Escalate overdue task",
    "Nhắc hạn gửi hồ sơ lên cấp trên": "Remind of the deadline to forward the dossier",
    "Xác nhận điều kiện khen thưởng": "Confirm eligibility",
    "Kết thúc quy trình": "End process",
    "Tạm dừng quy trình": "Suspend process",
    "Cho quy trình chạy tiếp": "Resume process",
    "Chuyển phiên bản quy trình": "Migrate process version",
    "Ban hành quyết định khen thưởng": "Issue commendation decision",
    "Sửa bố cục phôi giấy khen": "Edit certificate layout",
    "Nhập hồ sơ theo dõi": "Import records",
    "Thêm hồ sơ theo dõi": "Add record",
    "Xuất danh sách người được đề nghị": "Export nominee list",
    "Xuất nhật ký kiểm toán": "Export audit trail",
    "Yêu cầu kiểm tra toàn vẹn nhật ký": "Audit trail verification requested",
    "Kết quả kiểm tra toàn vẹn nhật ký": "Audit trail verification result",
    # --- end audit actions ---
    # --- audit trail verification (templates/audit/index.html, service/web/audit.py) ---
    "Kiểm tra toàn vẹn nhật ký": "Verify the audit trail's integrity",
    "Tính lại chuỗi mã băm của toàn bộ nhật ký và đối chiếu từng quyết định xét khen với nhật ký. Việc kiểm tra "
    "chạy trong nền và thường xong trong khoảng một phút (nhật ký rất dài thì lâu hơn); tải lại trang để xem kết quả.":
        "Recomputes the hash chain of the whole trail and checks each nominee decision against the trail. The check "
        "runs in the background and usually finishes within about a minute (longer for a very long trail); reload "
        "the page to see the result.",
    "Đang chờ kết quả kiểm tra (yêu cầu lúc {when}); chưa thể yêu cầu thêm.":
        "Verification pending (requested at {when}); another cannot be requested yet.",
    "Tải lại": "Reload",
    "Yêu cầu lúc": "Requested at",
    "Người yêu cầu": "Requested by",
    "Xong lúc": "Finished at",
    "Đang chờ đến lượt kiểm tra": "Waiting to start",
    "Đang kiểm tra": "Verifying",
    "Không kiểm tra được (lỗi khi chạy); hãy yêu cầu lại.": "The verification could not run (error); request it again.",
    "Nhật ký nguyên vẹn: đã kiểm {events} sự kiện; {decisions} quyết định từng người khớp nhật ký.":
        "The trail is intact: {events} events checked; {decisions} nominee decisions agree with the trail.",
    "{steps} bước xét trước khi nhật ký ghi quyết định từng người không đối chiếu được.":
        "{steps} steps decided before the trail recorded nominee decisions could not be checked.",
    "CẢNH BÁO: chuỗi nhật ký bị phá vỡ tại sự kiện số {event}": "ALARM: the audit chain is broken at event {event}",
    "xem sự kiện này": "see this event",
    # an event's recorded keys and coded values in words (domain.audit_labels), and a change that changed nothing
    "Người nhận xử lý": "Claimed by", "Người được giao": "Assigned to", "Họ tên": "Full name",
    "Đơn vị cấp trên": "Parent unit", "Số dòng": "Rows", "Tóm tắt": "Summary", "Hình thức khen": "Award form",
    "Tên tệp": "File name", "Cỡ tệp (byte)": "File size (bytes)", "Đơn vị con chuyển sang": "Sub-units moved to",
    "Hồ sơ còn đi qua cấp này": "Dossiers still passing this level", "Việc trả lại cho nhóm": "Tasks given back to the group",
    "Vai trò chấm dứt": "Roles ended", "Sáp nhập vào": "Merged into",
    "Không có thay đổi": "Nothing changed",
    "Đang xét duyệt": "In review", "Được khen thưởng": "Granted", "Không được khen thưởng": "Not granted",
    "Đơn vị đã rút": "Withdrawn",
    "Đã kiểm {events} sự kiện trước đó; quyết định từng người không đối chiếu (chuỗi hỏng).":
        "{events} earlier events checked; nominee decisions not compared (the chain is broken).",
    "CẢNH BÁO: bản ghi quyết định từng người không khớp nhật ký: {edited} bị sửa, {deleted} bị xóa, {added} bị thêm "
    "(trong {decisions} quyết định; chuỗi {events} sự kiện nguyên vẹn).":
        "ALARM: nominee decision rows disagree with the trail: {edited} edited, {deleted} deleted, {added} added "
        "(of {decisions} decisions; the chain of {events} events is intact).",
    "Đã yêu cầu kiểm tra toàn vẹn nhật ký; khoảng một phút sau, tải lại trang để xem kết quả.":
        "Verification of the audit trail requested; reload the page in about a minute to see the result.",
    # --- end audit trail verification ---
    # --- audit events table: object types (service/domain/audit_labels.py) and details ---
    # (also used, translated above: Đơn vị, Phong trào, Phiên bản quy trình, Hồ sơ, Quyết định, Hồ sơ theo dõi,
    # Nhật ký kiểm toán)
    "Tài khoản người dùng": "User account",
    "Cấp hành chính": "Administrative level",
    "Văn bản được tạo": "Generated document",
    "Việc cần xử lý": "Task",
    "Quy trình của hồ sơ": "Dossier process",
    "Trước": "Before",
    "Toàn bộ dữ liệu (JSON)": "Full data (JSON)",
    # --- end audit events table ---
    # --- dossier forms ---
    "— Chọn phong trào —": "— Choose a campaign —",
    "đã hết hạn nộp": "submission deadline passed",
    "ngoài thời gian nhận hồ sơ": "outside the receipt window",
    "Phong trào đã hết hạn nộp vẫn lập được hồ sơ, nhưng hồ sơ nộp muộn không được nhận.":
        "A campaign past its deadline still lets you prepare a dossier, but a late dossier is not received.",
    "Loại": "Kind",
    "Tên tập thể / cá nhân": "Collective / individual",
    "Chức vụ": "Position",
    "Hình thức đề nghị": "Award requested",
    "Cá nhân": "Individual",
    "Tập thể": "Collective",
    "phong trào này không có": "not offered by this campaign",
    "Không nộp được hồ sơ": "The dossier cannot be submitted",
    "Hạn nộp": "Submission deadline",
    # --- end dossier forms ---
    # --- nominee table ---
    "Kết quả": "Outcome",
    "tập thể": "collective",
    "Được khen": "Awarded",
    "Được khen thưởng một phần": "Granted in part",  # campaigns/dashboard.html: the status's own words
    "Quy trình của hồ sơ đã bị hủy; hồ sơ không được xét tiếp.":
        "This dossier's process was cancelled; the dossier will not be considered further.",
    "Hủy bởi": "Cancelled by",
    "Không được khen": "Not awarded",
    "Được khen {level}": "Granted at {level} level",
    "Không được khen {level}": "Not granted at {level} level",
    "đang do {name} xử lý": "being handled by {name}",
    "Đang do {name} xử lý": "Being handled by {name}",
    "nhận lúc": "claimed",
    "Chỉ người đang xử lý mới ghi nhận, trả lại cho nhóm hay giao việc được; quản trị viên có thể giao lại việc ở "
    "trang quy trình của hồ sơ.": "Only the official handling it can record a decision, release it or assign it; an "
    "administrator can reassign it on the dossier's process page.",
    "Những gì bạn đã nhập (chưa được ghi), để dùng khi việc về lại bạn:":
        "What you entered (not recorded), for when the task is yours again:",
    "Theo số phiếu (đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu: {percent}% số thành viên có mặt), {names} vẫn được "
    "thông qua dù bạn chọn “Không đồng ý”.": "By the vote count (the share of votes the council requires: {percent}% "
    "of the members present), {names} passed although you chose “Reject”.",
    "Đang xét": "Under review",
    # --- end nominee table ---
    # --- template texts brought through the i18n layer (tests/unit/test_templates_i18n.py) ---
    "Chỉ cán bộ thi đua của đơn vị cơ sở mới lập được hồ sơ đề nghị khen thưởng.":
        "Only the commendation officer of a grassroots unit can prepare a commendation dossier.",
    "Loại tài liệu": "Document type",
    "Của người được đề nghị": "For nominee",
    "cả hồ sơ": "whole dossier",
    "Tệp": "File",
    "Trích ngang": "Summary",
    "Trích ngang (tối đa nửa trang)": "Summary (half a page at most)",
    "Nhập danh sách từ Excel (cột: Loại, Họ và tên / Tập thể, Chức vụ, Mã hình thức, Trích ngang)":
        "Import the list from Excel (columns headed in Vietnamese: Loại = kind, Họ và tên / Tập thể = name, "
        "Chức vụ = position, Mã hình thức = award code, Trích ngang = summary)",
    "Vị trí tính bằng mi-li-mét từ góc trên bên trái của phôi; khi in lên phôi chỉ in chữ.":
        "Positions are in millimetres from the top left corner of the blank; printing on the blank prints the text only.",
    "Khổ rộng (mm)": "Page width (mm)",
    "Khổ cao (mm)": "Page height (mm)",
    "Trường": "Field",
    "Độ rộng": "Width",
    "Cỡ chữ (pt)": "Font size (pt)",
    "Đậm": "Bold",
    "Đang lập": "Draft",
    "Trả lại": "Returned",
    "Đã rút": "Withdrawn",
    "Khen cấp phường/xã": "Ward/commune award",
    "Khen cấp quận/huyện": "District award",
    "Khen cấp tỉnh": "Provincial award",
    "Khen cấp tỉnh/thành phố": "Province/city award",
    "Tệp phong trào (YAML hoặc JSON); định dạng xem README. Lưu sẽ kiểm tra toàn bộ trước; có lỗi thì không thay đổi gì.":
        "The campaign file (YAML or JSON); the README describes the format. Saving checks everything first; "
        "if there is an error, nothing is changed.",
    "trước": "by",
    "tối thiểu": "at least",
    "thành viên có mặt": "of members present",
    "thông qua khi đạt": "passes with",
    "phiếu": "of the votes",
    "cấp tặng": "granted at",
    "Nếu ghi số phiếu, người đạt tỷ lệ phiếu của phong trào được thông qua; để trống nếu không biểu quyết theo từng người.":
        "If you enter vote counts, each nominee who reaches the campaign's vote threshold is passed; leave them "
        "blank if the council did not vote on each nominee.",
    "Sửa một phiên bản trong trình soạn thảo rồi triển khai, hoặc dùng lệnh thidua bpmn deploy FILE.":
        "Edit a version in the editor and deploy it, or use the command thidua bpmn deploy FILE.",
    "Chuyển hồ sơ đang chạy sang phiên bản khác": "Move running dossiers to another version",
    "hoặc lệnh thidua bpmn migrate A B": "or the command thidua bpmn migrate A B",
    "Có dòng sai nên chưa nhập dòng nào. Hãy sửa các dòng sau rồi nhập lại:":
        "Some rows are wrong, so no row has been imported. Correct the rows below and import the file again:",
    "ký tự": "characters",
    "Trích ngang dài quá nửa trang ({max} ký tự).": "The summary is longer than half a page ({max} characters).",
    # --- end template texts ---
    # --- users page (templates/admin/users.html) and the role names it shows (service/domain/roles.py ROLE_LABELS) ---
    "Vai trò này không có việc ở cấp của đơn vị: người giữ không nhận được việc nào.":
        "This role has no work at the unit's level: whoever holds it will receive no tasks.",
    "không có việc": "no work",
    "Cán bộ thi đua": "Commendation officer",
    "Trưởng đơn vị": "Head of unit",
    "Công chức Văn phòng": "Office clerk",
    "Thành viên HĐTĐKT": "Member of the Emulation and Commendation Council",
    "Thư ký HĐTĐKT": "Secretary of the Emulation and Commendation Council",
    "Chủ tịch UBND": "Chairman of the People's Committee",
    "Chuyên viên Phòng Nội vụ": "Home Affairs Office specialist",
    "Chuyên viên Ban Thi đua - Khen thưởng": "Emulation and Commendation Board specialist",
    "Quản trị hệ thống": "System administrator",
    "Kiểm toán viên": "Auditor",
    # --- end users page ---
    # --- confirmations of destructive actions (data-confirm, service/static/confirm.js) ---
    "Xóa {name} khỏi hồ sơ? Việc này không hoàn tác được.": "Remove {name} from the dossier? This cannot be undone.",
    "Đã xóa {name} khỏi hồ sơ.": "{name} removed from the dossier.",
    "Hồ sơ cần ít nhất một người được đề nghị, nên không xóa được người cuối cùng.":
        "A dossier needs at least one nominee, so the last one cannot be removed.",
    "Thu hồi vai trò {role} tại {unit} của {user}?": "Revoke the role {role} at {unit} from {user}?",
    # the users page: roles in words, the grant button's name, the search box (service/web/admin.py)
    "Thu hồi vai trò {role} tại {unit} của {user}": "Revoke the role {role} at {unit} from {user}",
    "{role} tại {unit}": "{role} at {unit}",
    "Mã vai trò và mã đơn vị": "Role code and unit code",
    "Giao vai trò cho {user}": "Grant a role to {user}",
    "Tìm người dùng (tên đăng nhập hoặc họ tên)": "Find users (username or full name)",
    "Tìm": "Search",
    "Xem tất cả": "Show all",
    "{shown} trên {total} người dùng khớp «{query}».": "{shown} of {total} users match “{query}”.",
    "Không có người dùng nào khớp.": "No user matches.",
    "Khóa tài khoản {user}? Người này sẽ không đăng nhập được cho đến khi được mở khóa.":
        "Lock the account {user}? They will not be able to sign in until it is unlocked.",
    "Hủy quy trình này? Hồ sơ bị hủy theo và việc này không hoàn tác được.":
        "Cancel this process? The dossier is cancelled with it, and this cannot be undone.",
    # --- end confirmations ---
    # --- notifications of tasks no longer open ---
    "đã xử lý": "handled",
    "Việc này đã được xử lý hoặc không còn mở.": "This task has been handled or is no longer open.",
    # --- end notifications of tasks no longer open ---
    # --- accessibility names (templates/base.html, dossiers/new.html, inbox/*.html): what a screen reader hears ---
    "Chuyển đến nội dung chính": "Skip to main content",
    "Trình đơn": "Menu",  # the header's menu button on a phone (templates/base.html)
    "{field} — dòng {row}": "{field} — row {row}",
    "Quyết định cho {name}": "Decision for {name}",
    "Số phiếu đồng ý — {name}": "Votes for — {name}",
    "Số phiếu không đồng ý — {name}": "Votes against — {name}",
    "Ý kiến / lý do — {name}": "Comment / reason — {name}",
    "Chọn: {title} — {unit} — {step}": "Select: {title} — {unit} — {step}",
    # --- end accessibility names ---
    # --- words for codes (levels, subject types and rule kinds shown through _() on the campaign and org pages) ---
    "cơ sở (đơn vị, khu phố, trường…)": "grassroots (office, neighbourhood, school…)",
    "quận/huyện": "district",
    "phường/xã": "ward/commune",  # domain.awards.LEVEL_WORDS, on the new-dossier form's unreachable award forms
    "tỉnh": "province",
    "cấp {level} không còn trên đường trình hồ sơ": "the {level} level is no longer on the dossier's path",
    "tỉnh/thành phố": "province/city",
    "cá nhân": "individual",
    "Số lượng tối thiểu/tối đa theo hình thức và đối tượng tại một cấp":
        "Minimum/maximum number per award form and subject type at a level",
    "Tỷ lệ tối đa trên tổng số cán bộ của đơn vị": "Maximum share of the unit's staff",
    "Số lượng tối đa mỗi đơn vị được đề nghị (ngoại lệ cho đơn vị xếp hạng cao)":
        "Maximum nominees per unit (exception for top-ranked units)",
    "Tỷ lệ tối đa trên số đơn vị đăng ký thi đua (hoặc trên số người được đề nghị)":
        "Maximum share of registered units (or of nominees proposed)",
    "Số lượng tối đa được trình lên cấp trên": "Maximum number forwarded to the level above",
    "Đã đăng ký thi đua trước hạn": "Registered for the campaign before the deadline",
    "Xếp hạng chỉ số (PAR INDEX, SIPAS, DTI, DDCI)": "Index ranking (PAR INDEX, SIPAS, DTI, DDCI)",
    "Số năm liên tục hoàn thành tốt nhiệm vụ trở lên": "Consecutive years rated 'completed duties well' or better",
    "Có sáng kiến được công nhận": "Has a recognised initiative",
    "Tiêu chí do người thẩm định xác nhận": "Criterion confirmed by the reviewer",
    # --- end words for codes ---
    # --- dossier page: the tờ trình draft, withdrawal; the diagram's lanes (web/lanes.py) ---
    "Bản nháp do hệ thống lập — cần ký và tải lên bản có chữ ký":
        "Draft made by the system — it must be signed, and the signed copy uploaded",
    "Rút hồ sơ": "Withdraw the dossier",
    "Lý do rút hồ sơ": "Reason for withdrawing",
    "Đơn vị rút hồ sơ khi không đề nghị khen thưởng nữa; quy trình của hồ sơ kết thúc tại đây.":
        "The unit withdraws its dossier when it no longer proposes the commendation; the dossier's process ends here.",
    "Rút hồ sơ này? Hồ sơ sẽ dừng lại và không nộp tiếp được nữa.":
        "Withdraw this dossier? It stops here and can no longer be submitted.",
    "Đã rút hồ sơ. Trạng thái hồ sơ: {status}.": "The dossier has been withdrawn. Dossier status: {status}.",
    "{role} {level}": "{role} ({level})",
    # --- end dossier page ---
    "Hồ sơ được trả lại": "Dossier returned",
    "từ bước": "from the step",
    "không ghi lý do": "no reason given",
    # a return for supplement: to whom it sent the dossier (inbox completion message, dossier page)
    "Đã trả hồ sơ về {destination} để bổ sung.": "The dossier was returned for supplement to {destination}.",
    "{role} {unit} (bước “{step}”)": "{role}, {unit} (step “{step}”)",
    "bước": "step",
    "Hồ sơ đã được trả về": "The dossier was returned to",
    # the same collective or person proposed in two dossiers of a unit (dossiers/_unit_panel.html)
    "Đề nghị trùng": "Proposed twice",
    "{name} cũng được đề nghị trong hồ sơ số {number} “{title}” ({status}) của đơn vị trong phong trào này.":
        "{name} is also proposed in the unit's dossier no. {number} “{title}” ({status}) in this campaign.",
    "Mở hồ sơ số {number}": "Open dossier no. {number}",
    "Mỗi tập thể, cá nhân chỉ nên được đề nghị một lần trong một phong trào: hãy rút một hồ sơ hoặc xóa người trùng, trừ khi đây là hai người trùng tên.":
        "Each collective or person should be proposed once in a campaign: withdraw one dossier or remove the "
        "duplicate, unless these are two people with the same name.",
    "Chọn tất cả việc đang hiển thị": "Select every task shown",
    "Không có việc nào khớp bộ lọc; hộp việc còn {total} việc khác.":
        "No task matches the filter; the inbox holds {total} other tasks.",
    # document kinds (domain/documents.py KIND_LABELS), shown through _() in document lists and the upload form
    "Biên bản họp bình xét": "Minutes of the nomination meeting",
    "Tờ trình đề nghị khen thưởng": "Letter proposing the commendation",
    "Báo cáo thành tích": "Achievement report",
    "Trích ngang thành tích": "Achievement summary sheet",
    "Tài liệu khác": "Other document",
    "Đã giao vai trò: {held}.": "Role granted: {held}.",
    "Đã thu hồi vai trò: {held}.": "Role revoked: {held}.",
    "Quy trình không thay đổi so với phiên bản đang dùng (v{version}): không tạo phiên bản mới.":
        "The process is the same as the version in use (v{version}): no new version was made.",
    # the process pages (templates/processes, web/processes.py)
    "Đã triển khai phiên bản {version}.": "Version {version} deployed.",
    "Quy trình chưa hợp lệ: {count} lỗi.": "The process is not valid yet: {count} problem(s) to fix.",
    "dòng {line}": "line {line}",
    "Các cấp hồ sơ đi qua": "Levels a dossier passes",
    "Ghi chú phiên bản (thay đổi gì)": "Version note (what changed)",
    "ví dụ: Bỏ cấp quận/huyện": "e.g. District level removed",
    "Bạn đang sửa phiên bản {edited}; quy trình đang dùng phiên bản {active}. Triển khai bản này sẽ tạo phiên bản "
    "mới thay cho phiên bản {active} với hồ sơ mới, kể cả những gì phiên bản {edited} khác phiên bản {active}.":
        "You are editing version {edited}; the process in use is version {active}. Deploying this makes a new "
        "version that replaces version {active} for new dossiers, including everything version {edited} does "
        "differently from version {active}.",
    # a version comparison's changes in words (workflows.migration.CHANGE_WORDS)
    "loại phần tử": "element type", "tên": "name", "mô tả": "description", "làn": "lane",
    "đường đi vào": "incoming flows", "đường đi ra": "outgoing flows", "điều kiện rẽ nhánh": "branch conditions",
    "nhánh mặc định": "default branch", "hẹn giờ hoặc sự kiện": "timer or event",
    "cách dừng bước khi tới hạn": "whether the step stops when due", "cách xử lý (người hay máy)":
        "who handles it (a person or the system)", "dữ liệu vào": "data in", "dữ liệu ra": "data out",
    "dữ liệu vào/ra": "data in and out", "phần mở rộng": "extensions", "bước được gắn": "the step it is attached to",
    "điều kiện": "condition", "cổng tách tương ứng": "the matching split gateway", "mã lệnh": "script",
    "số lượt biểu quyết": "number of votes", "điều kiện kết thúc biểu quyết": "when the vote ends",
    "chi tiết kỹ thuật khác": "other technical details",
    "Theo số phiếu, không đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu ({percent}% số thành viên có mặt) nên không được "
    "đề nghị tiếp, dù bạn đã chọn “Đồng ý”: {names}.":
        "By the vote count, these nominees did not reach the share of votes the council requires ({percent}% of the "
        "members present) and go no further, although you chose “Approve”: {names}.",
}
STATUS_VI = {
    "draft": "Đang lập", "in_review": "Đang xét duyệt", "returned": "Trả lại bổ sung", "granted": "Được khen thưởng",
    "rejected": "Không được khen thưởng", "withdrawn": "Đơn vị đã rút", "cancelled": "Đã hủy", "error": "Lỗi quy trình",
    "granted_in_part": "Được khen thưởng một phần",
}  # fmt: skip
STATUS_EN = {
    "draft": "Draft", "in_review": "In review", "returned": "Returned for supplement", "granted": "Granted",
    "rejected": "Not granted", "withdrawn": "Withdrawn", "cancelled": "Cancelled", "error": "Process error",
    "granted_in_part": "Granted in part",
}  # fmt: skip


LEVEL_VI = {"unit": "đơn vị", "ward": "cấp phường/xã", "district": "cấp quận/huyện", "province": "cấp tỉnh/thành phố"}
LEVEL_EN = {"unit": "unit", "ward": "ward/commune", "district": "district", "province": "province/city"}
DECISION_VI = {"submit": "Nộp hồ sơ", "withdraw": "Rút hồ sơ", "approve": "Đồng ý", "return": "Trả lại bổ sung",
               "reject": "Không đồng ý"}  # fmt: skip
DECISION_EN = {"submit": "Submitted", "withdraw": "Withdrawn", "approve": "Approved", "return": "Returned",
               "reject": "Rejected"}  # fmt: skip


def level_label(level: str | None) -> str:
    return (LEVEL_EN if current_locale() == "en" else LEVEL_VI).get(str(level or ""), str(level or ""))


def decision_label(decision: str | None) -> str:
    return (DECISION_EN if current_locale() == "en" else DECISION_VI).get(str(decision or ""), str(decision or ""))


def choice_label(label: str | None, decision: str | None) -> str:
    """A decision as its step's form offers it, in the current locale: the BPMN flow's name ("Đạt"), translated
    where EN has it (every name the shipped processes use); an admin's own name stays as the BPMN gives it. A
    decision the step does not name reads as its generic label."""
    return translate(label) if label else decision_label(decision)


def decided_label(label: str | None, decision: str | None) -> str:
    """A decision as a dossier's history tells it: in the words its step's form offered (the flow's name: "Đạt",
    "Thông qua", "Đồng ý"); in English those words told as done ("Met", "Passed", "Agreed", step_words_en.DECIDED_EN).
    A decision the step did not name, or named in words English lacks (an admin's own), reads as its generic label."""
    if current_locale() == "en":
        return DECIDED_EN.get(label or "") or decision_label(decision)
    return label or decision_label(decision)


def diagram_words() -> dict[str, str]:
    """The names the shipped chain's diagram draws (its steps, events, gateways, flows, pool) → English, which
    diagram.js shows instead; {} in Vietnamese (the BPMN's own words). The BPMN served stays as deployed."""
    return {name: translate(name) for name in DIAGRAM_NAMES} if current_locale() == "en" else {}


def current_locale() -> str:
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LOCALES else "vi"


def translate(text: str) -> str:
    """Translate a Vietnamese UI string into the current locale: English from EN, else from the shipped chain's words
    (its steps' names and descriptions, its diagram's names: web/step_words_en.py), else as it is (an admin's own)."""
    return (EN.get(text) or STEP_WORDS_EN.get(text, text)) if current_locale() == "en" else text


def modeler_catalogue() -> dict[str, str]:
    """The BPMN editor's catalogue for the current locale: bpmn-js's English templates → Vietnamese.

    English needs none: bpmn-js's own labels are English, and its translate module falls back to them."""
    return {} if current_locale() == "en" else MODELER_VI


def action_label(action: str) -> str:
    """An audit action in words, in the current locale (its code is for auditors and exports)."""
    return translate(audit_action_label(action))


def object_type_label(object_type: str) -> str:
    """An audit event's object type in words, in the current locale."""
    return translate(audit_object_type_label(object_type))


def status_label(status: str) -> str:
    return (STATUS_EN if current_locale() == "en" else STATUS_VI).get(status, status)


def vn_datetime(moment: datetime | None, seconds: bool = False) -> str:
    """Show a stored UTC time in Vietnam's time zone, day first; to the second where events a few seconds apart
    must be told apart (the audit page)."""
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M") if moment else ""


def _store_locale(locale: str) -> None:
    """A signed-in user's change of language is kept with the account: their e-mails are written in it."""
    from flask_login import current_user

    from ..operations.preferences import save_locale
    from .context import transaction

    if current_user.is_authenticated:
        with transaction() as db:
            save_locale(db, current_user.id, locale)


def init_i18n(app: Flask) -> None:
    @app.before_request
    def remember_locale() -> None:
        chosen = request.args.get("lang")
        if chosen in LOCALES and chosen != session.get("lang"):
            session["lang"] = chosen
            _store_locale(chosen)

    app.jinja_env.globals.update(_=translate, status_label=status_label, current_locale=current_locale,
                                 level_label=level_label, decision_label=decision_label, choice_label=choice_label,
                                 action_label=action_label, object_type_label=object_type_label,
                                 decided_label=decided_label, diagram_words=diagram_words,
                                 detail_key_label=detail_key_label, modeler_catalogue=modeler_catalogue)
    app.jinja_env.filters["vn_datetime"] = vn_datetime
    app.jinja_env.filters["in_sentence"] = in_sentence  # "… của phường Giếng Đáy": a unit's kind mid-sentence
