"""Where articles come from: the files of ARTICLES_DIR (read and changed), and feeds."""
