"""Generated documents set Vietnamese in one Times New Roman–metric serif: every letter, those with two marks
(ế, ệ, ủ, ợ …) too, from the same font (Liberation Serif 1.07 has none of them, and each fell back to another
font inside its word). A real PDF from WeasyPrint, its fonts listed by pdffonts."""

from __future__ import annotations

import subprocess
import tempfile

from weasyprint import HTML

from service.documents.pdf import TEMPLATES

TEXT = "Căn cứ kết quả xét duyệt của các cấp, đề nghị chưa được khen thưởng; Nguyễn Thị Hương, Trần Văn Đức."


def test_a_document_uses_one_serif_for_every_vietnamese_letter():
    pdf = HTML(string=f'<html lang="vi"><link rel="stylesheet" href="nd30.css"><p>{TEXT}</p><p><b>{TEXT}</b></p>',
               base_url=str(TEMPLATES)).write_pdf()  # fmt: skip
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        listed = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True).stdout
    families = {line.split()[0].split("+")[-1].split("-")[0] for line in listed.splitlines()[2:] if line.strip()}
    assert families == {"Tinos"}, listed
    assert TEXT in " ".join(text.split())
