"""The yearly report: every table and figure of chapters 2-4 as self-contained HTML and Markdown."""
