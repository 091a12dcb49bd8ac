-- Placeholder for version 18 (another branch adds it).
SELECT 1;
