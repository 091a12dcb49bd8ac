# server/render/: printable documents drawn with Cairo (stall QR standees,
# receipts) as PNG and PDF from one code path. Filled in by the boards
# issue.
