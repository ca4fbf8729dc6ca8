"""The savings figures seed 001 publishes, which the demo data must reproduce to the pound: the unit,
integration and end-to-end tests of the seed all hold it to this one copy."""

#: the years of the published theme table
YEARS = ["2021/22", "2022/23", "2023/24"]

#: the published theme table, in pounds: theme -> (2021/22, 2022/23, 2023/24, total)
TABLE = {
    "redesign_reorganisation": (830_000, 2_716_000, 13_890_000, 17_436_000),
    "demand_prevention": (3_744_000, 1_150_000, 2_132_000, 7_026_000),
    "buying_commissioning": (1_300_000, 1_803_000, 425_000, 3_528_000),
    "charging_income": (399_000, 7_975_000, 5_409_300, 13_783_300),
    "technology_innovation": (71_000, 189_000, 1_050_000, 1_310_000),
    "process_policy": (263_000, 106_000, 1_881_930, 2_250_930),
}
