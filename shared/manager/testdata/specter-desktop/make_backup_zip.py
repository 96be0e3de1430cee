# Writes specter-backup.zip from restore_devices.json and restore_wallets.json
# exactly as Specter Desktop's Specter.specter_backup_file() does (Python's
# zipfile, one json.dumps per file, wallets/<alias>.json then
# devices/<alias>.json). Its writestr(name, ...) stores entries uncompressed
# (the ZipInfo it builds with ZIP_DEFLATED is never passed), as the wallets
# are here; the devices are deflated, as an archive re-zipped by the user
# would be, so both methods are read. The first wallet's address #1 gets
# the custom label "Savings".
# Run from this folder: python3 make_backup_zip.py
import json
import zipfile

devices = json.load(open("restore_devices.json"))
wallets = json.load(open("restore_wallets.json"))
wallets[0]["labels"]["Savings"] = ["bcrt1qt2xpsvztclcks4q4m0yunre9a3zu4pyc4zdf66"]

with zipfile.ZipFile("specter-backup.zip", "w") as zf:
    for wallet in wallets:
        info = zipfile.ZipInfo("wallets/{}.json".format(wallet["alias"]), (2026, 11, 25, 12, 0, 0))
        zf.writestr(info, json.dumps(wallet))
    for device in devices:
        info = zipfile.ZipInfo("devices/{}.json".format(device["alias"]), (2026, 11, 25, 12, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, json.dumps(device))
