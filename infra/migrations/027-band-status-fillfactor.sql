-- band_status is rewritten row by row about once a second per reporting band. With full pages
-- each update had to put the row's new version on another page and a new entry in the primary
-- key (2 % heap-only updates); with half of each page free, the new version stays on its page
-- and the index is untouched (100 % heap-only, 23 % less backend CPU per row:
-- `npm run bench:write-path -- --status`). Pages written before this fill up as rows move.
ALTER TABLE band_status SET (fillfactor = 50);
