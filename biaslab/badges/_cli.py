"""``biaslab badge keygen | issue | verify``: the course badge from the command line."""

from __future__ import annotations

import datetime as _dt
import re
import sys
import uuid
from pathlib import Path

_SELF_ISSUER = "Self-issued by the learner (Bias In, Bias Out self-paced workbook)"


def add_parser(sub) -> None:
    p = sub.add_parser("badge", help="issue and verify the course's Open Badges 3.0",
                       description="Issue and verify verifiable Open Badges 3.0 for the course: a credential with a Data "
                                   "Integrity proof (eddsa-rdfc-2022, Ed25519) and a VC-JWT (ES256).")
    actions = p.add_subparsers(dest="badge_command", metavar="ACTION")
    actions.required = True

    k = actions.add_parser("keygen", help="create an issuer key pair",
                           description="Create an Ed25519 key pair: a private key (mode 0600) that signs both forms "
                                       "of a badge (the ES256 key of the VC-JWT is derived from it), its public key "
                                       "(PEM and JWK) to give to verifiers, and the JWT's ES256 public key (JWK).")
    k.add_argument("--out", required=True, metavar="DIR", help="folder for the key files (outside any git repository)")
    k.add_argument("--name", default="issuer", help="file name prefix (default: issuer)")
    k.add_argument("--force", action="store_true", help="allow a folder inside a git work tree (not advised)")
    k.set_defaults(func=run_keygen)

    i = actions.add_parser(
        "issue", help="issue badges to learners who passed",
        description="Self-paced: --workbook DIR --name NAME [--email E] issues a self-assessed badge signed with "
                    "your own key (~/.biaslab/keys). Class: --gradebook sqlite:///gradebook.db --key PRIV "
                    "--issuer-name NAME issues one badge per student who passed.")
    source = i.add_mutually_exclusive_group()
    source.add_argument("--workbook", metavar="DIR", help="the self-paced workbook (default: found from here)")
    source.add_argument("--gradebook", metavar="DB", help="nbgrader gradebook: a path or sqlite:///path URL")
    i.add_argument("--name", help="self-paced: your name as it should appear on the badge")
    i.add_argument("--email", help="self-paced: your email (stored only as a salted hash)")
    i.add_argument("--out", required=True, metavar="DIR", help="folder for the badge files")
    i.add_argument("--key", metavar="PRIV", help="issuer private key (required with --gradebook)")
    i.add_argument("--issuer-name", help="issuer's name (required with --gradebook)")
    i.add_argument("--issuer-url", help="issuer's home page, e.g. https://example.edu/fairness-course")
    i.add_argument("--student", metavar="ID", help="with --gradebook: only this student")
    i.add_argument("--with-names", action="store_true",
                   help="with --gradebook: print students' names from the gradebook on their badges "
                        "(default: identified by hashed email and username only)")
    i.add_argument("--trust-gradebook", action="store_true",
                   help="with --gradebook: issue even if the course folder does not grade with biaslab's grader "
                        "(verdicts decided outside the students' kernels); not advised")
    i.add_argument("--valid-days", type=int, metavar="N", help="badges expire after N days (default: never)")
    i.add_argument("--overwrite", action="store_true", help="replace badge files that already exist")
    i.set_defaults(func=run_issue)

    v = actions.add_parser("verify", help="verify a badge file offline",
                           description="Check a badge (.png, .svg, .json or .jwt): its proof, structure and dates, "
                                       "and that its picture shows what was signed. Exit code 0 if valid, 1 if not.")
    v.add_argument("file", help="the badge file")
    v.add_argument("--key", metavar="PUB", help="the issuer's Ed25519 public key (PEM or JWK) to trust; "
                                                 "it checks every form, a .jwt through the proof inside it")
    v.add_argument("--email", help="also check the badge was issued to this email")
    v.set_defaults(func=run_verify)


def run_keygen(args) -> int:
    import warnings

    from ._keys import KeyInRepositoryWarning, generate_keypair

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KeyInRepositoryWarning)
        files = generate_keypair(Path(args.out), name=args.name, force=args.force)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    print(f"Private key (keep it secret, mode 0600): {files.private}")
    print(f"Public key for verifiers:                {files.public}")
    print(f"Public key as JWK:                       {files.jwk}")
    print(f"VC-JWT (ES256) public key as JWK:         {files.jwt_jwk}")
    print(f"Issuer id:                               {files.did}")
    return 0


def _valid_until(days):
    if days is None:
        return None
    if days < 1:
        raise ValueError(f"--valid-days must be at least 1, got {days}.")
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0) + _dt.timedelta(days=days)


def _print_files(paths) -> None:
    for ext in ("png", "svg", "json", "jwt"):
        print(f"  {paths[ext]}")


def run_issue(args) -> int:
    if args.gradebook:
        return _issue_class(args)
    return _issue_self_paced(args)


def _issue_self_paced(args) -> int:
    from ..course import load_curriculum
    from ..progress import ProgressStore, find_workbook
    from ._credential import issue_badge
    from ._keys import learner_key, load_private_key
    from ._results import eligible, results_from_progress

    if args.student or args.with_names:
        raise ValueError("--student and --with-names go with --gradebook (a class); a workbook has one learner.")
    folder = find_workbook(Path(args.workbook)) if args.workbook else find_workbook()
    if folder is None:
        where = args.workbook or "the current folder"
        raise ValueError(f"no workbook found at {where} (it has no .biaslab/workbook.json); "
                         "give the workbook folder with --workbook DIR.")
    if args.name is None and args.email is None:
        raise ValueError("give --name (shown on the badge) and/or --email (stored only as a salted hash).")
    valid_until = _valid_until(args.valid_days)
    store = ProgressStore(folder)
    results = results_from_progress(store)
    ok, reasons = eligible(results)
    if not ok:
        print("Not eligible for the badge yet:", file=sys.stderr)
        for reason in reasons:
            print(f"  - {reason}", file=sys.stderr)
        print("Pass these in the workbook (run their checks), then run this command again.", file=sys.stderr)
        return 1
    if args.key:
        key, where = load_private_key(args.key), args.key
    else:
        key, files = learner_key()
        where = f"{files.private} (your own key; its public half is {files.public})"
    learner_id = store.load().get("learner_id")
    try:
        subject_id = f"urn:uuid:{uuid.UUID(hex=learner_id)}" if learner_id else None
    except (ValueError, TypeError, AttributeError):
        subject_id = None
    badge = issue_badge(learner_name=args.name, learner_email=args.email, results=results,
                        issuer_name=args.issuer_name or _SELF_ISSUER, issuer_url=args.issuer_url, private_key=key,
                        self_assessed=True, valid_until=valid_until, subject_id=subject_id)
    paths = badge.write_all(Path(args.out), stem=f"{load_curriculum().id}-badge", overwrite=args.overwrite)
    print(f"Issued a self-assessed badge to {args.name or 'you'} ({reasons[0]}), signed with {where}:")
    _print_files(paths)
    print(f"Check it with: biaslab badge verify {paths['png']}")
    return 0


def _issue_class(args) -> int:
    from ..course import load_curriculum
    from ._credential import issue_badge
    from ._keys import load_private_key
    from ._results import eligible, gradebook_results, graded_outside_the_kernel

    if args.name or args.email:
        raise ValueError("--name and --email are for a self-paced learner; with --gradebook, names and emails "
                         "come from the gradebook.")
    if not args.key:
        raise ValueError("--key PRIV is required with --gradebook: the course's issuer key "
                         "(create one with `biaslab badge keygen --out DIR`).")
    if not args.issuer_name:
        raise ValueError("--issuer-name is required with --gradebook (e.g. 'Example University, CS 4100').")
    trusted, why = graded_outside_the_kernel(args.gradebook)
    if not trusted and not args.trust_gradebook:
        raise ValueError(f"No badges issued: {why}. A badge is signed only from grades decided outside the "
                         "students' kernels; put biaslab.grading.configure(c) in the course's nbgrader_config.py "
                         "and autograde again, or pass --trust-gradebook at your own risk.")
    key = load_private_key(args.key)
    valid_until = _valid_until(args.valid_days)
    course_id = load_curriculum().id
    students = gradebook_results(args.gradebook, [args.student] if args.student else None)
    if not students:
        print("The gradebook has no students.")
        return 1
    earned = 0
    for sid, (student, results) in students.items():
        ok, reasons = eligible(results)
        if not ok:
            print(f"{sid}: not eligible: " + "; ".join(reasons))
            continue
        badge = issue_badge(learner_name=student.name, learner_email=student.email, learner_username=sid,
                            show_name=args.with_names, results=results, issuer_name=args.issuer_name,
                            issuer_url=args.issuer_url, private_key=key, self_assessed=False,
                            valid_until=valid_until)
        stem = f"{course_id}-{re.sub(r'[^A-Za-z0-9_.-]', '_', sid)}"
        paths = badge.write_all(Path(args.out), stem=stem, overwrite=args.overwrite)
        earned += 1
        print(f"{sid}: passed ({reasons[0]}); badge written to {paths['png']} (+ .svg, .json, .jwt)")
    print(f"{earned} of {len(students)} student(s) earned the badge. Verifiers check a badge with: "
          "biaslab badge verify FILE --key YOUR_ISSUER.pub.pem")
    return 0 if earned or not args.student else 1


def run_verify(args) -> int:
    from ._verify import verify_badge

    result = verify_badge(args.file, public_key=args.key, email=args.email)
    print(f"File:        {args.file}" + (f" ({result.format.upper()})" if result.format else ""))
    print(result.summary())
    return 0 if result.valid else 1
