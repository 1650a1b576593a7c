"""Official documents: PDFs rendered by WeasyPrint from templates/documents, in the form of Nghị định 30/2020."""
