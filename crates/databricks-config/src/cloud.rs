//! Which cloud a workspace runs on, derived from its host or Azure settings.

use std::fmt;

/// The cloud a Databricks deployment runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cloud {
    /// Amazon Web Services (also the answer for unknown hosts, as in the SDKs).
    Aws,
    /// Microsoft Azure.
    Azure,
    /// Google Cloud.
    Gcp,
}

/// An Azure cloud: each has its own Azure AD login host and management endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AzureCloud {
    /// The public Azure cloud (`PUBLIC`).
    Public,
    /// Azure US Government (`USGOVERNMENT`).
    UsGovernment,
    /// Azure China, operated by 21Vianet (`CHINA`).
    China,
}

impl AzureCloud {
    /// Parses `azure_environment` as the SDKs do: `PUBLIC`, `USGOVERNMENT` or `CHINA`, any case,
    /// optionally written `AzurePublicCloud` style.
    pub fn parse(s: &str) -> Option<AzureCloud> {
        let upper = s.trim().to_ascii_uppercase();
        let upper = upper.strip_prefix("AZURE").unwrap_or(&upper);
        let upper = upper.strip_suffix("CLOUD").unwrap_or(upper);
        match upper {
            "PUBLIC" => Some(AzureCloud::Public),
            "USGOVERNMENT" => Some(AzureCloud::UsGovernment),
            "CHINA" => Some(AzureCloud::China),
            _ => None,
        }
    }

    /// The SDK name: `PUBLIC`, `USGOVERNMENT` or `CHINA`.
    pub fn name(self) -> &'static str {
        match self {
            AzureCloud::Public => "PUBLIC",
            AzureCloud::UsGovernment => "USGOVERNMENT",
            AzureCloud::China => "CHINA",
        }
    }

    /// The Azure cloud of an Azure Databricks host name, if it is one.
    pub fn from_hostname(hostname: &str) -> Option<AzureCloud> {
        let h = hostname.to_ascii_lowercase();
        if h.ends_with(".azuredatabricks.net") {
            Some(AzureCloud::Public)
        } else if h.ends_with(".databricks.azure.us") {
            Some(AzureCloud::UsGovernment)
        } else if h.ends_with(".databricks.azure.cn") {
            Some(AzureCloud::China)
        } else {
            None
        }
    }
}

impl fmt::Display for AzureCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The cloud of a host name: Azure and GCP by their DNS zones, AWS otherwise.
pub fn cloud_of_hostname(hostname: &str) -> Cloud {
    if AzureCloud::from_hostname(hostname).is_some() {
        Cloud::Azure
    } else if hostname
        .to_ascii_lowercase()
        .ends_with(".gcp.databricks.com")
    {
        Cloud::Gcp
    } else {
        Cloud::Aws
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_cloud_names() {
        assert_eq!(AzureCloud::parse("public"), Some(AzureCloud::Public));
        assert_eq!(
            AzureCloud::parse("AzurePublicCloud"),
            Some(AzureCloud::Public)
        );
        assert_eq!(
            AzureCloud::parse("USGOVERNMENT"),
            Some(AzureCloud::UsGovernment)
        );
        assert_eq!(
            AzureCloud::parse("AzureChinaCloud"),
            Some(AzureCloud::China)
        );
        assert_eq!(AzureCloud::parse("mars"), None);
    }

    #[test]
    fn clouds_from_hosts() {
        assert_eq!(
            cloud_of_hostname("adb-1.2.azuredatabricks.net"),
            Cloud::Azure
        );
        assert_eq!(
            cloud_of_hostname("adb-1.2.databricks.azure.cn"),
            Cloud::Azure
        );
        assert_eq!(
            cloud_of_hostname("adb-1.2.databricks.azure.us"),
            Cloud::Azure
        );
        assert_eq!(cloud_of_hostname("1.2.gcp.databricks.com"), Cloud::Gcp);
        assert_eq!(cloud_of_hostname("dbc-1.cloud.databricks.com"), Cloud::Aws);
        assert_eq!(cloud_of_hostname("127.0.0.1"), Cloud::Aws);
    }
}
