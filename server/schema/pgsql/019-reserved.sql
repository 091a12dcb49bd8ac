-- Version 019 is held for a change made beside this one; it changes
-- nothing here.
SELECT 1;
