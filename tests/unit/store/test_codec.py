import uuid
from datetime import UTC, date, datetime

from kiosk.domain.biometrics import FaceAttempts, FaceOutcome, FaceOverride
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.ids import UserId
from kiosk.store.repositories.codec import decode_citizen, decode_face, encode_citizen, encode_face


def test_a_full_citizen_round_trips() -> None:
    citizen = Citizen(
        id_number="079085000111",
        full_name="Lê Thị Hoà",
        date_of_birth=date(1985, 2, 28),
        sex=Sex.FEMALE,
        ethnicity="Kinh",
        religion="Không",
        place_of_origin="Huế",
        place_of_residence="Quận 1, TP Hồ Chí Minh",
        identifying_features="Nốt ruồi",
        date_of_issue=date(2021, 4, 1),
        lifetime=True,
        father_name="Lê Văn A",
        mother_name="Trần Thị B",
        spouse_name="Phạm Văn C",
        old_id_number="025123456",
    )
    assert decode_citizen(encode_citizen(citizen)) == citizen


def test_a_minimal_citizen_round_trips() -> None:
    citizen = Citizen("001190012345", "Nguyễn An", date(1990, 5, 17), Sex.MALE)
    assert decode_citizen(encode_citizen(citizen)) == citizen


def test_face_attempts_round_trip() -> None:
    override = FaceOverride(
        UserId(uuid.uuid4()), datetime(2026, 11, 27, 3, tzinfo=UTC), "appearance_changed"
    )
    outcomes = (FaceOutcome.MISMATCH, FaceOutcome.LIVENESS_FAILED, FaceOutcome.MISMATCH)
    for attempts in (FaceAttempts(), FaceAttempts(outcomes, override)):
        assert decode_face(encode_face(attempts)) == attempts
