-- A sample of real local government codes (check digits valid) so a fresh system can issue.
-- The full registry (about 1,700 entries) is operator-managed reference data.
insert into municipality (code, prefecture, name) values
    ('011002', '北海道', '札幌市'),
    ('131016', '東京都', '千代田区'),
    ('131041', '東京都', '新宿区'),
    ('141003', '神奈川県', '横浜市'),
    ('231002', '愛知県', '名古屋市'),
    ('271004', '大阪府', '大阪市');
