"""Names from Apple's OpenAPI document that the sandbox serves and checks.

Re-stated by hand (the sandbox reads no schema at run time); `tests/sandbox/test_spec_tables.py`
compares every table here with the committed OpenAPI subset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "APPS_COLLECTION_PARAMETERS",
    "APPS_INSTANCE_PARAMETERS",
    "APP_ATTRIBUTES",
    "APP_INCLUDES",
    "APP_RELATIONSHIPS",
    "APP_STORE_STATES",
    "APP_VERSION_STATES",
    "PLATFORMS",
    "REVIEW_SUBMISSION_STATES",
    "VERSIONS_COLLECTION_PARAMETERS",
    "VERSION_ATTRIBUTES",
    "VERSION_INCLUDES",
    "VERSION_INSTANCE_PARAMETERS",
    "VERSION_RELATIONSHIPS",
    "Param",
]


def words(text: str) -> tuple[str, ...]:
    """Long name lists are written as whitespace-separated text to stay readable."""
    return tuple(text.split())


PLATFORMS = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")
APP_VERSION_STATES = words(
    """ACCEPTED DEVELOPER_REJECTED IN_REVIEW INVALID_BINARY METADATA_REJECTED PENDING_APPLE_RELEASE
    PENDING_DEVELOPER_RELEASE PREPARE_FOR_SUBMISSION PROCESSING_FOR_DISTRIBUTION
    READY_FOR_DISTRIBUTION READY_FOR_REVIEW REJECTED REPLACED_WITH_NEW_VERSION
    WAITING_FOR_EXPORT_COMPLIANCE WAITING_FOR_REVIEW"""
)
APP_STORE_STATES = words(
    """ACCEPTED DEVELOPER_REMOVED_FROM_SALE DEVELOPER_REJECTED IN_REVIEW INVALID_BINARY
    METADATA_REJECTED PENDING_APPLE_RELEASE PENDING_CONTRACT PENDING_DEVELOPER_RELEASE
    PREPARE_FOR_SUBMISSION PREORDER_READY_FOR_SALE PROCESSING_FOR_APP_STORE READY_FOR_REVIEW
    READY_FOR_SALE REJECTED REMOVED_FROM_SALE WAITING_FOR_EXPORT_COMPLIANCE WAITING_FOR_REVIEW
    REPLACED_WITH_NEW_VERSION NOT_APPLICABLE"""
)
REVIEW_SUBMISSION_STATES = words(
    """READY_FOR_REVIEW WAITING_FOR_REVIEW IN_REVIEW UNRESOLVED_ISSUES CANCELING COMPLETING
    COMPLETE"""
)

APP_ATTRIBUTES = words(
    """accessibilityUrl name bundleId sku primaryLocale isOrEverWasMadeForKids
    subscriptionStatusUrl subscriptionStatusUrlVersion subscriptionStatusUrlForSandbox
    subscriptionStatusUrlVersionForSandbox contentRightsDeclaration
    streamlinedPurchasingEnabled"""
)
# Relationship name -> what Spec:App lets it carry besides links: "" none, "one", "many".
APP_RELATIONSHIPS: dict[str, str] = dict(
    item.split(":")
    for item in words(
        """accessibilityDeclarations: appEncryptionDeclarations:many appStoreIcon:one
    ciProduct:one betaTesters: betaGroups:many appStoreVersions:many appTags:
    preReleaseVersions:many betaAppLocalizations:many builds:many betaLicenseAgreement:one
    betaAppReviewDetail:one appInfos:many appClips:many appPricePoints:
    endUserLicenseAgreement:one appPriceSchedule: appAvailabilityV2: inAppPurchases:many
    subscriptionGroups:many gameCenterEnabledVersions:many perfPowerMetrics:
    appCustomProductPages:many inAppPurchasesV2:many promotedPurchases:many appEvents:many
    reviewSubmissions:many subscriptionGracePeriod:one customerReviews:
    customerReviewSummarizations: gameCenterDetail:one appStoreVersionExperimentsV2:many
    alternativeDistributionKey: analyticsReportRequests: marketplaceSearchDetail: buildUploads:
    backgroundAssets: betaFeedbackScreenshotSubmissions: betaFeedbackCrashSubmissions:
    searchKeywords: webhooks: androidToIosAppMappingDetails:many"""
    )
)
APP_INCLUDES = tuple(name for name, shape in APP_RELATIONSHIPS.items() if shape)

VERSION_ATTRIBUTES = words(
    """platform versionString appStoreState appVersionState copyright reviewType releaseType
    earliestReleaseDate usesIdfa downloadable createdDate"""
)
VERSION_RELATIONSHIPS: dict[str, str] = dict(
    item.split(":")
    for item in words(
        """app:one appStoreVersionLocalizations:many build:one
    appStoreVersionPhasedRelease:one gameCenterAppVersion:one routingAppCoverage:one
    appStoreReviewDetail:one appStoreVersionSubmission:one appClipDefaultExperience:one
    appStoreVersionExperiments:many appStoreVersionExperimentsV2:many customerReviews:
    alternativeDistributionPackage:one"""
    )
)
VERSION_INCLUDES = tuple(name for name, shape in VERSION_RELATIONSHIPS.items() if shape)

# fields[type] parameters each GET accepts; the sandbox checks the names of the two it serves.
_APP_FIELD_TYPES = words(
    """apps appEncryptionDeclarations buildIcons ciProducts betaGroups appStoreVersions
    preReleaseVersions betaAppLocalizations builds betaLicenseAgreements betaAppReviewDetails
    appInfos appClips endUserLicenseAgreements inAppPurchases subscriptionGroups
    gameCenterEnabledVersions appCustomProductPages promotedPurchases appEvents reviewSubmissions
    subscriptionGracePeriods gameCenterDetails appStoreVersionExperiments
    androidToIosAppMappingDetails"""
)
_APP_LIMITS = words(
    """androidToIosAppMappingDetails appClips appCustomProductPages appEncryptionDeclarations
    appEvents appInfos appStoreVersionExperimentsV2 appStoreVersions betaAppLocalizations betaGroups
    builds gameCenterEnabledVersions inAppPurchases inAppPurchasesV2 preReleaseVersions
    promotedPurchases reviewSubmissions subscriptionGroups"""
)
_VERSION_FIELD_TYPES = words(
    """appStoreVersions apps appStoreVersionLocalizations builds
    appStoreVersionPhasedReleases gameCenterAppVersions routingAppCoverages appStoreReviewDetails
    appStoreVersionSubmissions appClipDefaultExperiences appStoreVersionExperiments
    alternativeDistributionPackages"""
)
_VERSION_LIMITS = (
    "appStoreVersionLocalizations",
    "appStoreVersionExperiments",
    "appStoreVersionExperimentsV2",
)


@dataclass(frozen=True)
class Param:
    """A query parameter: a comma-separated list (of `values`, or anything), an int, a bool."""

    kind: str  # "list" | "int" | "bool"
    values: tuple[str, ...] | None = None
    maximum: int = 0


ANY = Param("list")


def _list(values: tuple[str, ...]) -> Param:
    return Param("list", values)


def _common(
    field_types: Sequence[str], includes: tuple[str, ...], limits: Sequence[str]
) -> dict[str, Param]:
    params = {f"fields[{t}]": ANY for t in field_types}
    params["fields[apps]"] = _list(APP_ATTRIBUTES + tuple(APP_RELATIONSHIPS))
    params["fields[appStoreVersions]"] = _list(VERSION_ATTRIBUTES + tuple(VERSION_RELATIONSHIPS))
    params["include"] = _list(includes)
    params.update({f"limit[{name}]": Param("int", maximum=50) for name in limits})
    return params


APPS_INSTANCE_PARAMETERS = _common(_APP_FIELD_TYPES, APP_INCLUDES, _APP_LIMITS)
APPS_COLLECTION_PARAMETERS: dict[str, Param] = {
    "filter[name]": ANY,
    "filter[bundleId]": ANY,
    "filter[sku]": ANY,
    "filter[appStoreVersions.appStoreState]": _list(APP_STORE_STATES),
    "filter[appStoreVersions.platform]": _list(PLATFORMS),
    "filter[appStoreVersions.appVersionState]": _list(APP_VERSION_STATES),
    "filter[reviewSubmissions.state]": _list(REVIEW_SUBMISSION_STATES),
    "filter[reviewSubmissions.platform]": _list(PLATFORMS),
    "filter[appStoreVersions]": ANY,
    "filter[id]": ANY,
    "exists[gameCenterEnabledVersions]": Param("bool"),
    "sort": _list(("name", "-name", "bundleId", "-bundleId", "sku", "-sku")),
    "limit": Param("int", maximum=200),
    **APPS_INSTANCE_PARAMETERS,
}
VERSION_INSTANCE_PARAMETERS = _common(_VERSION_FIELD_TYPES, VERSION_INCLUDES, _VERSION_LIMITS)
VERSIONS_COLLECTION_PARAMETERS: dict[str, Param] = {
    "filter[platform]": _list(PLATFORMS),
    "filter[versionString]": ANY,
    "filter[appStoreState]": _list(APP_STORE_STATES),
    "filter[appVersionState]": _list(APP_VERSION_STATES),
    "filter[id]": ANY,
    "limit": Param("int", maximum=200),
    **VERSION_INSTANCE_PARAMETERS,
}

# --- localizations, builds, pre-release versions, phased releases ----------------------------

LOCALIZATION_ATTRIBUTES = words(
    "description locale keywords marketingUrl promotionalText supportUrl whatsNew"
)
# The relationships Apple answers on a localization (EAS's capture has no appStoreVersion).
LOCALIZATION_RELATIONSHIPS = ("appScreenshotSets", "appPreviewSets", "searchKeywords")
_LOCALIZATION_FIELDS = (*LOCALIZATION_ATTRIBUTES, "appStoreVersion", *LOCALIZATION_RELATIONSHIPS)
PHASED_RELEASE_ATTRIBUTES = words(
    "phasedReleaseState startDate totalPauseDuration currentDayNumber"
)
BUILD_ATTRIBUTES = words(
    """version uploadedDate expirationDate expired minOsVersion lsMinimumSystemVersion
    computedMinMacOsVersion computedMinVisionOsVersion iconAssetToken processingState
    buildAudienceType usesNonExemptEncryption"""
)
# Relationship name -> "one", "many" or "" (links only). buildBundles and buildUpload carry no
# links in Spec:Build and are left out, as data would need an include the sandbox does not serve.
BUILD_RELATIONSHIPS: dict[str, str] = dict(
    item.split(":")
    for item in words(
        """preReleaseVersion:one individualTesters:many betaGroups:many betaBuildLocalizations:many
    appEncryptionDeclaration:one betaAppReviewSubmission:one app:one buildBetaDetail:one
    appStoreVersion:one icons:many perfPowerMetrics: diagnosticSignatures:"""
    )
)
_BUILD_FIELDS = (
    *BUILD_ATTRIBUTES,
    *words(
        """preReleaseVersion individualTesters betaGroups betaBuildLocalizations
    appEncryptionDeclaration betaAppReviewSubmission app buildBetaDetail appStoreVersion icons
    buildBundles buildUpload perfPowerMetrics diagnosticSignatures"""
    ),
)
PRE_RELEASE_ATTRIBUTES = ("version", "platform")
PRE_RELEASE_RELATIONSHIPS = ("builds", "app")
PROCESSING_STATES = ("PROCESSING", "FAILED", "INVALID", "VALID")
BUILD_AUDIENCES = ("INTERNAL_ONLY", "APP_STORE_ELIGIBLE")
_VERSION_FIELDS = VERSION_ATTRIBUTES + tuple(VERSION_RELATIONSHIPS)
_BUILD_INCLUDES = words(
    """preReleaseVersion individualTesters betaGroups betaBuildLocalizations
    appEncryptionDeclaration betaAppReviewSubmission app buildBetaDetail appStoreVersion icons
    buildBundles buildUpload"""
)
_BUILD_FIELD_TYPES = words(
    """betaTesters betaGroups betaBuildLocalizations appEncryptionDeclarations
    betaAppReviewSubmissions buildBetaDetails buildIcons buildBundles buildUploads"""
)
_LOCALIZATION_INSTANCE: dict[str, Param] = {
    "fields[appStoreVersionLocalizations]": _list(_LOCALIZATION_FIELDS),
    "fields[appStoreVersions]": _list(_VERSION_FIELDS),
    "fields[appScreenshotSets]": ANY,
    "fields[appPreviewSets]": ANY,
    "include": _list(("appStoreVersion", "appScreenshotSets", "appPreviewSets", "searchKeywords")),
    "limit[appScreenshotSets]": Param("int", maximum=50),
    "limit[appPreviewSets]": Param("int", maximum=50),
    "limit[searchKeywords]": Param("int", maximum=50),
}
LOCALIZATION_INSTANCE_PARAMETERS = _LOCALIZATION_INSTANCE
LOCALIZATIONS_RELATED_PARAMETERS: dict[str, Param] = {
    "filter[locale]": ANY,
    "fields[appKeywords]": ANY,
    "limit": Param("int", maximum=200),
    **_LOCALIZATION_INSTANCE,
}
PHASED_RELEASE_RELATED_PARAMETERS = {
    "fields[appStoreVersionPhasedReleases]": _list(PHASED_RELEASE_ATTRIBUTES)
}
BUILD_RELATED_PARAMETERS = {"fields[builds]": _list(_BUILD_FIELDS)}
BUILD_INSTANCE_PARAMETERS: dict[str, Param] = {
    "fields[builds]": _list(_BUILD_FIELDS),
    "fields[preReleaseVersions]": _list(PRE_RELEASE_ATTRIBUTES + PRE_RELEASE_RELATIONSHIPS),
    "fields[apps]": _list(APP_ATTRIBUTES + tuple(APP_RELATIONSHIPS)),
    "fields[appStoreVersions]": _list(_VERSION_FIELDS),
    **{f"fields[{t}]": ANY for t in _BUILD_FIELD_TYPES},
    "include": _list(_BUILD_INCLUDES),
    **{
        f"limit[{n}]": Param("int", maximum=50)
        for n in words("betaBuildLocalizations betaGroups buildBundles icons individualTesters")
    },
}
BUILDS_COLLECTION_PARAMETERS: dict[str, Param] = {
    "filter[version]": ANY,
    "filter[expired]": ANY,
    "filter[processingState]": _list(PROCESSING_STATES),
    "filter[betaAppReviewSubmission.betaReviewState]": _list(
        ("WAITING_FOR_REVIEW", "IN_REVIEW", "REJECTED", "APPROVED")
    ),
    "filter[usesNonExemptEncryption]": ANY,
    "filter[preReleaseVersion.version]": ANY,
    "filter[preReleaseVersion.platform]": _list(PLATFORMS),
    "filter[buildAudienceType]": _list(BUILD_AUDIENCES),
    "filter[preReleaseVersion]": ANY,
    "filter[app]": ANY,
    "filter[betaGroups]": ANY,
    "filter[appStoreVersion]": ANY,
    "filter[id]": ANY,
    "exists[usesNonExemptEncryption]": Param("bool"),
    "sort": _list(
        (
            "version",
            "-version",
            "uploadedDate",
            "-uploadedDate",
            "preReleaseVersion",
            "-preReleaseVersion",
        )
    ),
    "limit": Param("int", maximum=200),
    **BUILD_INSTANCE_PARAMETERS,
}

# --- review submissions (FACTS-2 §8.1) -------------------------------------------------------

REVIEW_SUBMISSION_FIELDS = words(
    """platform submittedDate state app items appStoreVersionForReview submittedByActor
    lastUpdatedByActor"""
)
REVIEW_ITEM_STATES = words("READY_FOR_REVIEW ACCEPTED APPROVED REJECTED REMOVED")
# Relationship names of Spec:ReviewSubmissionItem (each a to-one `data`, no links).
REVIEW_ITEM_RELATIONSHIPS = words(
    """appStoreVersion appCustomProductPageVersion appStoreVersionExperiment
    appStoreVersionExperimentV2 appEvent backgroundAssetVersion gameCenterAchievementVersion
    gameCenterActivityVersion gameCenterChallengeVersion gameCenterLeaderboardSetVersion
    gameCenterLeaderboardVersion inAppPurchaseVersion subscriptionVersion
    subscriptionGroupVersion"""
)
_REVIEW_SUBMISSION_INSTANCE: dict[str, Param] = {
    "fields[reviewSubmissions]": _list(REVIEW_SUBMISSION_FIELDS),
    "fields[apps]": _list(APP_ATTRIBUTES + tuple(APP_RELATIONSHIPS)),
    "fields[reviewSubmissionItems]": _list(("state", *REVIEW_ITEM_RELATIONSHIPS)),
    "fields[appStoreVersions]": _list(_VERSION_FIELDS),
    "fields[actors]": ANY,
    "include": _list(
        ("app", "items", "appStoreVersionForReview", "submittedByActor", "lastUpdatedByActor")
    ),
    "limit[items]": Param("int", maximum=50),
}
REVIEW_SUBMISSION_INSTANCE_PARAMETERS = _REVIEW_SUBMISSION_INSTANCE
REVIEW_SUBMISSIONS_COLLECTION_PARAMETERS: dict[str, Param] = {
    "filter[platform]": _list(PLATFORMS),
    "filter[state]": _list(REVIEW_SUBMISSION_STATES),
    "filter[app]": ANY,
    "limit": Param("int", maximum=200),
    **_REVIEW_SUBMISSION_INSTANCE,
}
_ITEM_FIELD_TYPES = words(
    """appCustomProductPageVersions appStoreVersionExperiments appEvents backgroundAssetVersions
    gameCenterAchievementVersions gameCenterActivityVersions gameCenterChallengeVersions
    gameCenterLeaderboardSetVersions gameCenterLeaderboardVersions inAppPurchaseVersions
    subscriptionVersions subscriptionGroupVersions"""
)
REVIEW_ITEMS_RELATED_PARAMETERS: dict[str, Param] = {
    "fields[reviewSubmissionItems]": _list(("state", *REVIEW_ITEM_RELATIONSHIPS)),
    "fields[appStoreVersions]": _list(_VERSION_FIELDS),
    **{f"fields[{t}]": ANY for t in _ITEM_FIELD_TYPES},
    "limit": Param("int", maximum=200),
    "include": _list(REVIEW_ITEM_RELATIONSHIPS),
}
